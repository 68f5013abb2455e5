package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
)

const pageAdminUsers = "admin_users"

// adminHome is the admin area's entry point.
func (s *Server) adminHome(c echo.Context) error {
	return c.Redirect(http.StatusFound, "/admin/users")
}

type adminUsersPage struct {
	Page
	Search   string
	Role     string
	Users    []app.User
	Total    int64
	PageNum  int
	PrevURL  string
	NextURL  string
	RoleList []app.Role
}

const adminUsersPerPage = 50

func (s *Server) adminUsers(c echo.Context) error {
	q := c.QueryParam("q")
	role, _ := app.ParseRole(c.QueryParam("role"))
	pageNum, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || pageNum < 1 {
		pageNum = 1
	}
	list, err := s.auth.ListUsers(c.Request().Context(), q, role, adminUsersPerPage, (pageNum-1)*adminUsersPerPage)
	if err != nil {
		return err
	}
	link := func(p int) string {
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		if role != "" {
			v.Set("role", string(role))
		}
		v.Set("page", strconv.Itoa(p))
		return "/admin/users?" + v.Encode()
	}
	data := adminUsersPage{
		Page:     s.page(c, "Users"),
		Search:   q,
		Role:     string(role),
		Users:    list.Users,
		Total:    list.Total,
		PageNum:  pageNum,
		RoleList: []app.Role{app.RoleBuyer, app.RoleContributor, app.RoleAdmin},
	}
	data.Query = "" // the header's search box is for images, not users
	if pageNum > 1 {
		data.PrevURL = link(pageNum - 1)
	}
	if int64(pageNum*adminUsersPerPage) < list.Total {
		data.NextURL = link(pageNum + 1)
	}
	return s.renderPage(c, http.StatusOK, pageAdminUsers, &data)
}
