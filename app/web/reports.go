package web

import (
	"fmt"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/moderation"
)

// reportImage files a report from the image page's form.
func (s *Server) reportImage(c echo.Context) error {
	ctx, u := c.Request().Context(), currentUser(c)
	img, err := s.catalog.Image(ctx, u, c.Param("id"))
	if err != nil {
		return err
	}
	back := imageURL(img)
	_, created, err := s.moderation.Report(ctx, u, img.PublicID, c.FormValue("reason"), c.FormValue("note"))
	switch {
	case app.ErrorCode(err) == app.EInvalid || app.ErrorCode(err) == app.EConflict:
		s.flash(c, "error", fullMessage(err))
	case err != nil:
		return err
	case created:
		s.flash(c, "success", "Thank you: an admin will look at your report.")
	default:
		s.flash(c, "success", "You have already reported this image; an admin will look at it.")
	}
	return redirect(c, back)
}

// appealImage is the contributor's one appeal against a rejection.
func (s *Server) appealImage(c echo.Context) error {
	img, err := s.catalog.Appeal(c.Request().Context(), currentUser(c), c.Param("id"), c.FormValue("note"))
	switch app.ErrorCode(err) {
	case "":
		s.flash(c, "success", "Appeal sent: “"+img.Title+"” is back in the review queue.")
	case app.EConflict, app.EInvalid:
		s.flash(c, "error", app.ErrorMessage(err))
	default:
		return err
	}
	return redirect(c, "/contribute/images/"+c.Param("id"))
}

// waitText says where a pending image stands: "3rd in the queue, about 2
// days". Without a recent pace, the estimate is left out.
func waitText(w moderation.Wait) string {
	s := ordinal(w.Position) + " in the review queue"
	if w.Estimate <= 0 {
		return s
	}
	return s + ", about " + roughDuration(w.Estimate)
}

func ordinal(n int64) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

func roughDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "less than an hour"
	case d < 36*time.Hour:
		h := int(d.Round(time.Hour) / time.Hour)
		if h == 1 {
			return "an hour"
		}
		return fmt.Sprintf("%d hours", h)
	default:
		return fmt.Sprintf("%d days", int((d+12*time.Hour)/(24*time.Hour)))
	}
}

// rejectLabel is a stored reject reason as a contributor reads it.
func rejectLabel(s string) string {
	if r, ok := app.ParseRejectReason(s); ok {
		return r.Label()
	}
	return s
}
