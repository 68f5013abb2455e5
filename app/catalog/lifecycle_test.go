package catalog_test

import (
	"fmt"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

// TestLifecycleTransitions is the table of who may move an image from which
// status, and where it ends up: every action, from every reviewable status,
// by every kind of actor. An empty want code means the action succeeds and
// the image is then in status to.
func TestLifecycleTransitions(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	e := newEnv(t, db)
	ctx := t.Context()

	// States a test image can be put in, each by the steps that get it there.
	type setup func(t *testing.T, owner *app.User, id string)
	submit := func(t *testing.T, owner *app.User, id string) {
		t.Helper()
		if _, err := e.svc.Describe(ctx, owner, id, complete()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(ctx, owner, id); err != nil {
			t.Fatal(err)
		}
	}
	must := func(t *testing.T, _ *app.Image, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	states := map[string]setup{
		"draft": func(t *testing.T, owner *app.User, id string) {
			img, err := e.svc.Describe(ctx, owner, id, complete())
			must(t, img, err)
		},
		"pending": submit,
		"approved": func(t *testing.T, owner *app.User, id string) {
			submit(t, owner, id)
			img, err := e.svc.Approve(ctx, e.admin, id)
			must(t, img, err)
		},
		"rejected, fixable": func(t *testing.T, owner *app.User, id string) {
			submit(t, owner, id)
			img, err := e.svc.Reject(ctx, e.admin, id, []string{"keyword_spam"}, "Too many keywords")
			must(t, img, err)
		},
		"rejected, quality": func(t *testing.T, owner *app.User, id string) {
			submit(t, owner, id)
			img, err := e.svc.Reject(ctx, e.admin, id, []string{"out_of_focus"}, "")
			must(t, img, err)
		},
		"rejected after appeal": func(t *testing.T, owner *app.User, id string) {
			submit(t, owner, id)
			img, err := e.svc.Reject(ctx, e.admin, id, []string{"noise"}, "")
			must(t, img, err)
			img, err = e.svc.Appeal(ctx, owner, id, "It is grain, on purpose.")
			must(t, img, err)
			img, err = e.svc.Reject(ctx, e.admin, id, []string{"noise"}, "Still noisy")
			must(t, img, err)
		},
		"removed": func(t *testing.T, owner *app.User, id string) {
			submit(t, owner, id)
			img, err := e.svc.Approve(ctx, e.admin, id)
			must(t, img, err)
			img, err = e.svc.TakeDown(ctx, e.admin, id, "Copyright claim")
			must(t, img, err)
		},
	}
	actions := map[string]func(u *app.User, id string) (*app.Image, error){
		"submit":  func(u *app.User, id string) (*app.Image, error) { return e.svc.Submit(ctx, u, id) },
		"approve": func(u *app.User, id string) (*app.Image, error) { return e.svc.Approve(ctx, u, id) },
		"reject": func(u *app.User, id string) (*app.Image, error) {
			return e.svc.Reject(ctx, u, id, []string{"composition"}, "")
		},
		"take down": func(u *app.User, id string) (*app.Image, error) { return e.svc.TakeDown(ctx, u, id, "Reported") },
		"reinstate": func(u *app.User, id string) (*app.Image, error) { return e.svc.Reinstate(ctx, u, id) },
		"appeal":    func(u *app.User, id string) (*app.Image, error) { return e.svc.Appeal(ctx, u, id, "Please look again") },
	}
	const (
		ok        = ""
		forbidden = app.EForbidden
		notFound  = app.ENotFound
		conflict  = app.EConflict
	)
	type outcome struct {
		code string
		to   app.ImageStatus
	}
	// Admin-only actions refuse everyone else as forbidden, in every state.
	adminOnly := func(admin outcome) map[string]outcome {
		return map[string]outcome{"owner": {code: forbidden}, "other contributor": {code: forbidden}, "buyer": {code: forbidden}, "admin": admin}
	}
	// Owner actions hide the image from everyone but its owner (and admins,
	// who may submit on a contributor's behalf but never appeal).
	ownerOnly := func(owner, admin outcome) map[string]outcome {
		return map[string]outcome{"owner": owner, "other contributor": {code: notFound}, "buyer": {code: notFound}, "admin": admin}
	}
	want := map[string]map[string]map[string]outcome{
		"draft": {
			"submit":  ownerOnly(outcome{to: app.StatusPending}, outcome{to: app.StatusPending}),
			"approve": adminOnly(outcome{code: conflict}), "reject": adminOnly(outcome{code: conflict}),
			"take down": adminOnly(outcome{code: conflict}), "reinstate": adminOnly(outcome{code: conflict}),
			"appeal": ownerOnly(outcome{code: conflict}, outcome{code: notFound}),
		},
		"pending": {
			"submit":  ownerOnly(outcome{code: conflict}, outcome{code: conflict}),
			"approve": adminOnly(outcome{to: app.StatusApproved}), "reject": adminOnly(outcome{to: app.StatusRejected}),
			"take down": adminOnly(outcome{code: conflict}), "reinstate": adminOnly(outcome{code: conflict}),
			"appeal": ownerOnly(outcome{code: conflict}, outcome{code: notFound}),
		},
		"approved": {
			"submit":  ownerOnly(outcome{code: conflict}, outcome{code: conflict}),
			"approve": adminOnly(outcome{code: conflict}), "reject": adminOnly(outcome{code: conflict}),
			"take down": adminOnly(outcome{to: app.StatusRemoved}), "reinstate": adminOnly(outcome{code: conflict}),
			"appeal": ownerOnly(outcome{code: conflict}, outcome{code: notFound}),
		},
		"rejected, fixable": {
			"submit":  ownerOnly(outcome{to: app.StatusPending}, outcome{to: app.StatusPending}),
			"approve": adminOnly(outcome{code: conflict}), "reject": adminOnly(outcome{code: conflict}),
			"take down": adminOnly(outcome{code: conflict}), "reinstate": adminOnly(outcome{code: conflict}),
			"appeal": ownerOnly(outcome{to: app.StatusPending}, outcome{code: notFound}),
		},
		"rejected, quality": {
			"submit":  ownerOnly(outcome{code: conflict}, outcome{code: conflict}),
			"approve": adminOnly(outcome{code: conflict}), "reject": adminOnly(outcome{code: conflict}),
			"take down": adminOnly(outcome{code: conflict}), "reinstate": adminOnly(outcome{code: conflict}),
			"appeal": ownerOnly(outcome{to: app.StatusPending}, outcome{code: notFound}),
		},
		"rejected after appeal": {
			"submit":  ownerOnly(outcome{code: conflict}, outcome{code: conflict}),
			"approve": adminOnly(outcome{code: conflict}), "reject": adminOnly(outcome{code: conflict}),
			"take down": adminOnly(outcome{code: conflict}), "reinstate": adminOnly(outcome{code: conflict}),
			"appeal": ownerOnly(outcome{code: conflict}, outcome{code: notFound}),
		},
		"removed": {
			"submit":  ownerOnly(outcome{code: conflict}, outcome{code: conflict}),
			"approve": adminOnly(outcome{code: conflict}), "reject": adminOnly(outcome{code: conflict}),
			"take down": adminOnly(outcome{code: conflict}), "reinstate": adminOnly(outcome{to: app.StatusApproved}),
			"appeal": ownerOnly(outcome{code: conflict}, outcome{code: notFound}),
		},
	}

	seed := int64(1000)
	for state, byAction := range want {
		for action, byActor := range byAction {
			for actor, w := range byActor {
				t.Run(fmt.Sprintf("%s/%s/%s", state, action, actor), func(t *testing.T) {
					// A new owner for each case: per-contributor limits
					// (drafts, pending) never get in the way.
					seed++
					owner := storetest.User(t, db, fmt.Sprintf("owner%d", seed), app.RoleContributor)
					actors := map[string]*app.User{"owner": owner, "other contributor": e.other, "buyer": e.buyer, "admin": e.admin}
					img := e.mustUpload(t, owner, "p.jpg", photo(t, 120, 100, seed))
					e.process(t)
					states[state](t, owner, img.PublicID)
					before := e.image(t, img.PublicID).Status
					got, err := actions[action](actors[actor], img.PublicID)
					if code := app.ErrorCode(err); code != w.code {
						t.Fatalf("error %v (code %q), want code %q", err, code, w.code)
					}
					after := e.image(t, img.PublicID).Status
					if w.code != ok {
						if after != before {
							t.Errorf("refused, yet the status moved %s → %s", before, after)
						}
						return
					}
					if got.Status != w.to || after != w.to {
						t.Errorf("status %s (stored %s), want %s", got.Status, after, w.to)
					}
				})
			}
		}
	}
}
