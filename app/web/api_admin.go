package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
)

type queueItemJSON struct {
	Position   int64         `json:"position"`
	Appeal     bool          `json:"appeal"`
	AppealNote string        `json:"appeal_note,omitempty"`
	Image      imageJSON     `json:"image"`
	History    historyJSON   `json:"contributor_history"`
	Suspects   []suspectJSON `json:"near_duplicates"`
}

type historyJSON struct {
	Approved int64 `json:"approved"`
	Rejected int64 `json:"rejected"`
	Removed  int64 `json:"removed"`
	Pending  int64 `json:"pending"`
}

type suspectJSON struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Distance int    `json:"distance"`
	ThumbURL string `json:"thumb_url"`
}

// apiAdminQueue: GET /api/v1/admin/queue?page=&per_page= — the review
// queue, oldest first.
func (s *Server) apiAdminQueue(c echo.Context) error {
	perPage := min(max(atoiDefault(c.QueryParam("per_page"), 20), 1), 100)
	pageNum := pageParam(c)
	u := currentUser(c)
	items, total, err := s.moderation.Queue(c.Request().Context(), u, perPage, (pageNum-1)*perPage)
	if err != nil {
		return err
	}
	out := make([]queueItemJSON, 0, len(items))
	for _, it := range items {
		j := queueItemJSON{
			Position: it.Position, Appeal: it.Appeal, AppealNote: it.Image.AppealNote,
			Image:   toImageJSON(&catalog.Detail{Image: &it.Image, Contributor: it.Contributor}, u),
			History: historyJSON(it.History), Suspects: []suspectJSON{},
		}
		for _, sp := range it.Suspects {
			j.Suspects = append(j.Suspects, suspectJSON{ID: sp.Image.PublicID, Title: sp.Image.Title, Status: string(sp.Image.Status), Distance: sp.Distance, ThumbURL: thumbURL(&sp.Image)})
		}
		out = append(out, j)
	}
	return c.JSON(http.StatusOK, map[string]any{"total": total, "page": pageNum, "per_page": perPage, "items": out})
}

type decisionJSON struct {
	ID            string     `json:"id"`
	Status        string     `json:"status"`
	RejectReasons []string   `json:"reject_reasons,omitempty"`
	Note          string     `json:"note,omitempty"`
	ReviewedAt    *time.Time `json:"reviewed_at,omitempty"`
}

func decisionOut(img *app.Image) decisionJSON {
	return decisionJSON{ID: img.PublicID, Status: string(img.Status), RejectReasons: img.RejectReasons, Note: img.StatusReason, ReviewedAt: img.ReviewedAt}
}

// apiAdminApprove: POST /api/v1/admin/images/{id}/approve.
func (s *Server) apiAdminApprove(c echo.Context) error {
	img, err := s.moderation.Approve(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, decisionOut(img))
}

// apiAdminReject: POST /api/v1/admin/images/{id}/reject {"reasons":[…],"note"}.
func (s *Server) apiAdminReject(c echo.Context) error {
	var req struct {
		Reasons []string `json:"reasons"`
		Note    string   `json:"note"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	img, err := s.moderation.Reject(c.Request().Context(), actor(c), c.Param("id"), req.Reasons, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, decisionOut(img))
}

// apiAdminRemove: POST /api/v1/admin/images/{id}/remove {"reason"} — a takedown.
func (s *Server) apiAdminRemove(c echo.Context) error {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	img, err := s.moderation.Remove(c.Request().Context(), actor(c), c.Param("id"), req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, decisionOut(img))
}

// apiAdminReinstate: POST /api/v1/admin/images/{id}/reinstate.
func (s *Server) apiAdminReinstate(c echo.Context) error {
	img, err := s.moderation.Reinstate(c.Request().Context(), actor(c), c.Param("id"), "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, decisionOut(img))
}

type reportJSON struct {
	ID        string    `json:"id"`
	ImageID   string    `json:"image_id"`
	Reason    string    `json:"reason"`
	Note      string    `json:"note,omitempty"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	Reporter  string    `json:"reporter,omitempty"`
}

// apiAdminReports: GET /api/v1/admin/reports?status=open|dismissed|actioned|all.
func (s *Server) apiAdminReports(c echo.Context) error {
	st := app.ReportStatus(c.QueryParam("status"))
	switch st {
	case "":
		st = app.ReportOpen
	case "all":
		st = ""
	case app.ReportOpen, app.ReportDismissed, app.ReportActioned:
	default:
		return app.Invalid(map[string]string{"status": "Use open, dismissed, actioned or all."})
	}
	pageNum := pageParam(c)
	list, total, err := s.moderation.Reports(c.Request().Context(), currentUser(c), st, 100, (pageNum-1)*100)
	if err != nil {
		return err
	}
	out := make([]reportJSON, 0, len(list))
	for _, r := range list {
		out = append(out, reportJSON{ID: r.PublicID, ImageID: r.Image.PublicID, Reason: string(r.Reason), Note: r.Note, Status: string(r.Status), CreatedAt: r.CreatedAt, Reporter: r.Reporter.Username})
	}
	return c.JSON(http.StatusOK, map[string]any{"total": total, "reports": out})
}

type userAccessJSON struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Role     string `json:"role"`
	Status   string `json:"status"`
	ShareBP  int64  `json:"share_bp"`
}

// apiAdminSuspend: POST /api/v1/admin/users/{id}/suspend.
func (s *Server) apiAdminSuspend(c echo.Context) error {
	u, err := s.moderation.Suspend(c.Request().Context(), actor(c), c.Param("id"), "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userAccessJSON{ID: u.PublicID, Username: u.Username, Role: string(u.Role), Status: string(u.Status), ShareBP: u.ShareBP})
}

// apiAdminUnsuspend: POST /api/v1/admin/users/{id}/unsuspend.
func (s *Server) apiAdminUnsuspend(c echo.Context) error {
	u, err := s.moderation.Unsuspend(c.Request().Context(), actor(c), c.Param("id"), "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userAccessJSON{ID: u.PublicID, Username: u.Username, Role: string(u.Role), Status: string(u.Status), ShareBP: u.ShareBP})
}

// apiReportImage: POST /api/v1/images/{id}/reports {"reason","note"} — 201
// with the report (200 with the earlier one if this person already has an
// open report on the image).
func (s *Server) apiReportImage(c echo.Context) error {
	var req struct {
		Reason string `json:"reason"`
		Note   string `json:"note"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, created, err := s.moderation.Report(c.Request().Context(), currentUser(c), c.Param("id"), req.Reason, req.Note)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, reportJSON{ID: r.PublicID, ImageID: c.Param("id"), Reason: string(r.Reason), Note: r.Note, Status: string(r.Status), CreatedAt: r.CreatedAt})
}

// apiAppealImage: POST /api/v1/images/{id}/appeal {"note"} — the owner's one
// appeal against a rejection; the image returns to the queue.
func (s *Server) apiAppealImage(c echo.Context) error {
	var req struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	img, err := s.catalog.Appeal(c.Request().Context(), currentUser(c), c.Param("id"), req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, decisionOut(img))
}
