package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
)

// uploadRoutes are the routes whose bodies may be large (see limitBody).
// The page group's CSRF check skips them: the upload form's check runs after
// the role check instead, so that nobody but a contributor can make the
// server read a large form.
var uploadRoutes = map[string]bool{
	"/contribute/upload": true,
	"/api/v1/uploads":    true,
}

// uploadLimit allows a full request of the largest files.
func (s *Server) uploadLimit() int64 {
	lim := s.catalog.Limits()
	return int64(lim.MaxFiles)*(lim.MaxFileBytes+4096) + 1<<20
}

// uploadResult is one accepted file in an upload's answer.
type uploadResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	File   string `json:"file"`
	URL    string `json:"url"` // the page to describe it
}

// uploadError is one refused file.
type uploadError struct {
	File    string `json:"file"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type uploadResponse struct {
	Images []uploadResult `json:"images"`
	Errors []uploadError  `json:"errors"`
	Error  *problem       `json:"error,omitempty"` // set when nothing was accepted
}

// receiveUploads reads every file of the "files" field and offers each to the
// catalogue, so that one bad file never sinks the others. Files are streamed
// part by part into staging files, each cut off at the size limit; a request
// with more files than allowed stores none of them.
func (s *Server) receiveUploads(c echo.Context) (uploadResponse, int, error) {
	resp := uploadResponse{Images: []uploadResult{}, Errors: []uploadError{}}
	staged, tooMany, err := s.stageUploads(c)
	defer func() {
		for _, st := range staged {
			if cerr := st.Close(); cerr != nil {
				s.log.WarnContext(c.Request().Context(), "remove staged upload", "err", cerr)
			}
		}
	}()
	if err != nil {
		return resp, 0, err
	}
	lim := s.catalog.Limits()
	if tooMany {
		return resp, 0, app.Errorf(app.ETooLarge, "Upload at most %d files at a time; nothing was stored.", lim.MaxFiles)
	}
	if len(staged) == 0 {
		return resp, 0, app.Invalid(map[string]string{"files": "Choose at least one photo to upload."})
	}
	ctx := c.Request().Context()
	u := currentUser(c)
	for _, st := range staged {
		img, err := s.catalog.Ingest(ctx, u, st)
		if err != nil {
			p := toProblem(err)
			if p.Status >= 500 {
				s.log.ErrorContext(ctx, "ingest upload", "file", st.Name, "err", err)
			}
			resp.Errors = append(resp.Errors, uploadError{File: st.Name, Code: p.Code, Message: p.Message})
			continue
		}
		resp.Images = append(resp.Images, uploadResult{ID: img.PublicID, Status: string(img.Status), File: st.Name, URL: editURL(img)})
	}
	status := http.StatusAccepted
	if len(resp.Images) == 0 {
		first := resp.Errors[0]
		p := problem{Status: statusOf[first.Code], Code: first.Code, Message: first.Message}
		if p.Status == 0 {
			p.Status = http.StatusInternalServerError
		}
		if len(resp.Errors) > 1 {
			p.Message = "None of the files could be accepted: " + first.Message
		}
		resp.Error, status = &p, p.Status
	}
	return resp, status, nil
}

// stageUploads stages the request's files. It streams the multipart body
// unless the CSRF check has already parsed it (a form posted without
// JavaScript carries its token in the body).
func (s *Server) stageUploads(c echo.Context) (staged []*catalog.Staged, tooMany bool, err error) {
	ctx := c.Request().Context()
	maxFiles := s.catalog.Limits().MaxFiles
	stage := func(name string, r io.Reader) error {
		if len(staged) >= maxFiles {
			tooMany = true
			return nil
		}
		st, err := s.catalog.Stage(ctx, name, r)
		if err != nil {
			return err
		}
		staged = append(staged, st)
		return nil
	}
	req := c.Request()
	if req.MultipartForm != nil {
		for _, fh := range req.MultipartForm.File["files"] {
			if err := stageFileHeader(fh, stage); err != nil {
				return staged, false, err
			}
		}
		return staged, tooMany, nil
	}
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, false, echo.NewHTTPError(http.StatusBadRequest, "send the photos as multipart/form-data in the files field")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return staged, tooMany, nil
		}
		if err != nil {
			return staged, false, bodyError(err)
		}
		if part.FormName() != "files" || part.FileName() == "" {
			continue // NextPart skips what we do not read
		}
		if err := stage(part.FileName(), part); err != nil {
			return staged, false, bodyError(err)
		}
	}
}

func stageFileHeader(fh *multipart.FileHeader, stage func(string, io.Reader) error) error {
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("open uploaded %s: %w", fh.Filename, err)
	}
	defer f.Close()
	return stage(fh.Filename, f)
}

// bodyError turns a failure while reading the request body into a client
// error: too large, or malformed.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return app.Errorf(app.ETooLarge, "The upload is larger than allowed.")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, multipart.ErrMessageTooLarge):
		return echo.NewHTTPError(http.StatusBadRequest, "the upload was cut short or is not valid multipart data")
	}
	return err
}

// apiUpload answers POST /api/v1/uploads: 202 with the accepted images and
// the refused files, or, when nothing was accepted, the first refusal's status.
func (s *Server) apiUpload(c echo.Context) error {
	resp, status, err := s.receiveUploads(c)
	if err != nil {
		return err
	}
	return c.JSON(status, resp)
}

const pageUpload = "upload"

type uploadPage struct {
	Page
	Limits  catalog.Limits
	Results *uploadResponse // after a form post without JavaScript
}

func (s *Server) uploadForm(c echo.Context) error {
	data := uploadPage{Page: s.page(c, "Upload photos"), Limits: s.catalog.EffectiveLimits(c.Request().Context())}
	return s.renderPage(c, http.StatusOK, pageUpload, &data)
}

// uploadSubmit is the upload form posted without JavaScript: the same
// upload, answered with a page listing each file's result.
func (s *Server) uploadSubmit(c echo.Context) error {
	resp, status, err := s.receiveUploads(c)
	if err != nil {
		p := toProblem(err)
		if p.Status >= 500 {
			return err
		}
		resp.Errors = append(resp.Errors, uploadError{Code: p.Code, Message: p.Message})
		status = p.Status
	}
	if status == http.StatusAccepted {
		status = http.StatusOK
	}
	data := uploadPage{Page: s.page(c, "Upload photos"), Limits: s.catalog.EffectiveLimits(c.Request().Context()), Results: &resp}
	return s.renderPage(c, status, pageUpload, &data)
}

// editURL is where a contributor describes an image.
func editURL(img *app.Image) string { return "/contribute/images/" + img.PublicID }
