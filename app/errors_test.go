package app

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodeFollowsWrapping(t *testing.T) {
	base := Errorf(ENotFound, "no user %q", "ann")
	wrapped := fmt.Errorf("load profile: %w", base)
	if got := ErrorCode(wrapped); got != ENotFound {
		t.Fatalf("ErrorCode(wrapped) = %q, want %q", got, ENotFound)
	}
	if got := ErrorMessage(wrapped); got != `no user "ann"` {
		t.Fatalf("ErrorMessage = %q", got)
	}
	if got := ErrorCode(errors.New("boom")); got != EInternal {
		t.Fatalf("plain error code = %q, want internal", got)
	}
	if got := ErrorCode(nil); got != "" {
		t.Fatalf("nil code = %q", got)
	}
}

func TestInternalMessagesAreNotLeaked(t *testing.T) {
	err := &Error{Code: EInternal, Message: "pq: relation users does not exist"}
	if msg := ErrorMessage(err); msg == err.Message {
		t.Fatalf("internal detail leaked: %q", msg)
	}
}

func TestRoleIncludes(t *testing.T) {
	cases := []struct {
		have, want Role
		ok         bool
	}{
		{RoleAdmin, RoleBuyer, true},
		{RoleAdmin, RoleContributor, true},
		{RoleContributor, RoleBuyer, true},
		{RoleContributor, RoleAdmin, false},
		{RoleBuyer, RoleContributor, false},
		{RoleBuyer, Role("root"), false},
		{Role("root"), RoleBuyer, false},
	}
	for _, c := range cases {
		if got := c.have.Includes(c.want); got != c.ok {
			t.Errorf("%s.Includes(%s) = %v, want %v", c.have, c.want, got, c.ok)
		}
	}
	suspended := &User{Role: RoleAdmin, Status: UserSuspended}
	if suspended.Can(RoleBuyer) {
		t.Error("a suspended admin can act as a buyer")
	}
}

func TestPublicIDsAreRandomAndURLSafe(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewPublicID()
		if len(id) != 16 {
			t.Fatalf("id %q has length %d", id, len(id))
		}
		for _, r := range id {
			if isLower, isDigit := r >= 'a' && r <= 'z', r >= '2' && r <= '7'; !isLower && !isDigit {
				t.Fatalf("id %q has rune %q", id, r)
			}
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}
