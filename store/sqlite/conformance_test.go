package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kairo-dev/kairo/store"
	"github.com/kairo-dev/kairo/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) store.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "conformance.db"), Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
