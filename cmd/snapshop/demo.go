package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"time"

	"github.com/disintegration/imaging"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/media/synth"
)

// demoAccounts are created by `serve --demo`, one per role.
var demoAccounts = []struct {
	username string
	role     app.Role
}{
	{"demo-admin", app.RoleAdmin},
	{"demo-contributor", app.RoleContributor},
	{"demo-buyer", app.RoleBuyer},
}

// seedDemo makes sure the demo accounts exist and gives each a fresh random
// password, printed once: a demo never runs on a guessable password. It
// returns the accounts by role.
func seedDemo(ctx context.Context, accounts *auth.Service, out io.Writer) (map[app.Role]*app.User, error) {
	users := map[app.Role]*app.User{}
	fmt.Fprintln(out, "Demo accounts (passwords are new at every start):")
	for _, d := range demoAccounts {
		password := app.RandomToken(8)
		u, err := accounts.UserByUsername(ctx, d.username)
		switch app.ErrorCode(err) {
		case app.ENotFound:
			u, err = accounts.CreateUser(ctx, auth.NewAccount{
				Email: d.username + "@demo.snapshop.test", Username: d.username, Password: password, Role: d.role,
			})
		case "":
			err = accounts.SetPassword(ctx, u.ID, password)
		}
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", d.username, err)
		}
		users[d.role] = u
		fmt.Fprintf(out, "  %-12s  login: %-17s  password: %s\n", d.role, d.username, password)
	}
	return users, nil
}

// demoTheme is the words that go with one of synth's dominant colours.
type demoTheme struct {
	titles   []string
	keywords []string
	category string
}

func demoThemes() map[string]demoTheme {
	return map[string]demoTheme{
		"blue":   {[]string{"Blue hour above quiet hills", "Calm sea under a deep blue sky", "Cool blue morning haze", "Blue mountain ridge at dusk", "Clear blue sky over the coast"}, []string{"blue", "sky", "sea", "calm", "evening"}, "landscapes"},
		"red":    {[]string{"Red sunset over the dunes", "Crimson sky after the storm", "Warm red glow on the horizon", "Red autumn hillside at dusk"}, []string{"red", "sunset", "dramatic", "warm", "dusk"}, "nature"},
		"green":  {[]string{"Green meadow in spring", "Lush green valley at noon", "Rolling green fields", "Fresh green hills after rain", "Quiet green countryside"}, []string{"green", "meadow", "spring", "fields", "countryside"}, "nature"},
		"orange": {[]string{"Golden hour over the plains", "Orange dusk above the desert", "Amber light on distant hills", "Warm orange sunrise"}, []string{"orange", "golden hour", "desert", "sunrise", "warm light"}, "landscapes"},
		"purple": {[]string{"Purple twilight over the lake", "Lavender evening sky", "Violet haze over the hills", "Dreamy purple dusk"}, []string{"purple", "twilight", "lavender", "dreamy", "lake"}, "backgrounds"},
		"teal":   {[]string{"Turquoise lagoon at noon", "Teal water and soft clouds", "Tropical teal shoreline", "Misty teal morning"}, []string{"teal", "turquoise", "lagoon", "tropical", "water"}, "travel"},
		"yellow": {[]string{"Bright yellow summer field", "Sunlit yellow haze", "Yellow light over the prairie", "Cheerful yellow morning", "Golden wheat under the sun"}, []string{"yellow", "summer", "sunlight", "prairie", "bright"}, "landscapes"},
		"pink":   {[]string{"Pink dawn over misty hills", "Soft pink evening sky", "Rose-coloured clouds at sunrise", "Pastel pink horizon", "Blush sky over still water"}, []string{"pink", "pastel", "dawn", "soft", "romantic"}, "backgrounds"},
	}
}

// demoImage is one image of the demo catalogue.
type demoImage struct {
	seed          int64
	width, height int
	description   catalog.Description
}

// demoCatalogue plans a few dozen photo-like images in every colour theme and
// orientation, each with a title, keywords and a category.
func demoCatalogue() []demoImage {
	shapes := [][2]int{{2600, 1734}, {1734, 2600}, {2200, 2200}, {4200, 1200}} // ≥ 4 MP each
	common := []string{"landscape", "nature", "outdoors", "scenic", "horizon", "background"}
	themes := demoThemes()
	var out []demoImage
	i := 0
	for _, name := range synth.Themes() {
		th, ok := themes[name]
		if !ok {
			continue
		}
		for v, title := range th.titles {
			shape := shapes[i%len(shapes)]
			i++
			kw := append(append([]string{}, th.keywords...), common...)
			usage, ai, cat, t := app.UsageCommercial, app.AINone, th.category, title
			out = append(out, demoImage{
				seed: synth.SeedFor(name, v), width: shape[0], height: shape[1],
				description: catalog.Description{Title: &t, Keywords: &kw, Category: &cat, Usage: &usage, AI: &ai},
			})
		}
	}
	return out
}

// seedDemoImages uploads the demo catalogue as the demo contributor, waits for
// the workers to process it, describes each image and publishes it. It does
// nothing if the contributor already has images, so restarts keep the
// catalogue as it was.
func seedDemoImages(ctx context.Context, cat *catalog.Service, users map[app.Role]*app.User, log *slog.Logger) error {
	contributor, admin := users[app.RoleContributor], users[app.RoleAdmin]
	existing, _, err := cat.MyImages(ctx, contributor, "", 1, 0)
	if err != nil {
		return err
	}
	if existing.Total > 0 {
		return nil
	}
	plan := demoCatalogue()
	log.Info("demo: generating the catalogue", "images", len(plan))
	ids := make([]string, 0, len(plan))
	for i, d := range plan {
		data, err := synth.JPEG(d.width, d.height, d.seed, 88)
		if err != nil {
			return fmt.Errorf("demo image %d: %w", i, err)
		}
		st, err := cat.Stage(ctx, fmt.Sprintf("demo-%02d.jpg", i+1), bytes.NewReader(data))
		if err != nil {
			return err
		}
		img, err := cat.Ingest(ctx, contributor, st)
		_ = st.Close()
		if err != nil {
			return fmt.Errorf("demo image %d: %w", i, err)
		}
		ids = append(ids, img.PublicID)
	}
	for i, id := range ids {
		if err := waitProcessed(ctx, cat, contributor, id); err != nil {
			return err
		}
		if _, err := cat.Describe(ctx, contributor, id, plan[i].description); err != nil {
			return fmt.Errorf("describe demo image %s: %w", id, err)
		}
		if _, err := cat.Submit(ctx, contributor, id); err != nil {
			return fmt.Errorf("submit demo image %s: %w", id, err)
		}
		if _, err := cat.Approve(ctx, admin, id); err != nil {
			return fmt.Errorf("approve demo image %s: %w", id, err)
		}
	}
	log.Info("demo: catalogue published", "images", len(ids))
	if err := seedDemoQueue(ctx, cat, contributor, plan[0]); err != nil {
		return err
	}
	log.Info("demo: review queue filled", "images", 3)
	return nil
}

// seedDemoQueue leaves three images waiting for review, so an admin has
// something to decide: two new photos, and a re-saved, slightly cropped copy
// of the first published one, which the queue shows as a near-duplicate.
func seedDemoQueue(ctx context.Context, cat *catalog.Service, contributor *app.User, first demoImage) error {
	orig := synth.Photo(first.width, first.height, first.seed)
	b := orig.Bounds()
	dx, dy := b.Dx()/100, b.Dy()/100
	var copied bytes.Buffer
	if err := jpeg.Encode(&copied, imaging.Crop(orig, image.Rect(dx, dy, b.Dx()-dx, b.Dy()-dy)), &jpeg.Options{Quality: 72}); err != nil {
		return fmt.Errorf("demo copy: %w", err)
	}
	fresh := func(seed int64) ([]byte, error) { return synth.JPEG(2600, 1734, seed, 88) }
	queue := []struct {
		title, category string
		keywords        []string
		data            func() ([]byte, error)
	}{
		{"Harbour lights at dusk", "travel", []string{"harbour", "lights", "dusk", "boats", "water"}, func() ([]byte, error) { return fresh(9001) }},
		{"Misty pine forest", "nature", []string{"forest", "pine", "mist", "trees", "morning"}, func() ([]byte, error) { return fresh(9002) }},
		{"Evening landscape (re-upload)", "landscapes", []string{"landscape", "evening", "sky", "hills", "calm"}, func() ([]byte, error) { return copied.Bytes(), nil }},
	}
	for i, q := range queue {
		data, err := q.data()
		if err != nil {
			return fmt.Errorf("demo queue image %d: %w", i, err)
		}
		st, err := cat.Stage(ctx, fmt.Sprintf("review-%d.jpg", i+1), bytes.NewReader(data))
		if err != nil {
			return err
		}
		img, err := cat.Ingest(ctx, contributor, st)
		_ = st.Close()
		if err != nil {
			return fmt.Errorf("demo queue image %d: %w", i, err)
		}
		if err := waitProcessed(ctx, cat, contributor, img.PublicID); err != nil {
			return err
		}
		usage, ai, title, category, kw := app.UsageCommercial, app.AINone, q.title, q.category, q.keywords
		d := catalog.Description{Title: &title, Keywords: &kw, Category: &category, Usage: &usage, AI: &ai}
		if _, err := cat.Describe(ctx, contributor, img.PublicID, d); err != nil {
			return fmt.Errorf("describe demo queue image: %w", err)
		}
		if _, err := cat.Submit(ctx, contributor, img.PublicID); err != nil {
			return fmt.Errorf("submit demo queue image: %w", err)
		}
	}
	return nil
}

// waitProcessed polls until the workers have turned an upload into a draft.
func waitProcessed(ctx context.Context, cat *catalog.Service, u *app.User, id string) error {
	for {
		img, err := cat.Image(ctx, u, id)
		if err != nil {
			return err
		}
		switch img.Status {
		case app.StatusProcessing:
		case app.StatusFailed:
			return fmt.Errorf("demo image %s failed: %s", id, img.StatusReason)
		default:
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// seedDemoWallet gives the demo buyer $25 (+$2.50 bonus) to spend, paid
// through the sandbox card page like any top-up, the first time only.
func seedDemoWallet(ctx context.Context, shop *commerce.Service, buyer *app.User, out io.Writer) error {
	bal, err := shop.Ledger().WalletBalance(ctx, buyer.ID)
	if err != nil || bal > 0 {
		return err
	}
	r, err := shop.TopUp(ctx, buyer, "demo-wallet", "25")
	if err != nil {
		return err
	}
	if r.Order.Status == app.OrderPending {
		if _, err := shop.SandboxPay(ctx, buyer, r.Order.ProviderSession, commerce.SandboxCardApproved); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "  The demo buyer's wallet holds $27.50 (sandbox cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined).\n")
	return nil
}
