package memory

import (
	"errors"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
)

func TestValueKinds(t *testing.T) {
	zero := FeltValue(felt.Zero)
	if !zero.IsSet() || !zero.IsFelt() || zero.IsReloc() || !zero.Felt().IsZero() {
		t.Fatalf("felt 0 = %+v", zero)
	}
	if (Value{}).IsSet() {
		t.Fatal("zero Value is set")
	}
	big := FeltValue(felt.FromInt64(-1))
	if big.Felt() != felt.FromInt64(-1) {
		t.Fatal("P-1 does not round-trip through a Value")
	}
	r := RelocValue(Relocatable{Segment: -3, Offset: 7})
	if !r.IsReloc() || r.Reloc() != (Relocatable{Segment: -3, Offset: 7}) || r.String() != "-3:7" {
		t.Fatalf("reloc = %v", r)
	}
}

func TestValueArithmetic(t *testing.T) {
	a := RelocValue(Relocatable{1, 10})
	five := Uint64Value(5)
	tests := []struct {
		name    string
		op      func() (Value, error)
		want    string
		wantErr bool
	}{
		{"felt+felt", func() (Value, error) { return five.Add(five) }, "10", false},
		{"addr+felt", func() (Value, error) { return a.Add(five) }, "1:15", false},
		{"felt+addr", func() (Value, error) { return five.Add(a) }, "1:15", false},
		{"addr+addr", func() (Value, error) { return a.Add(a) }, "", true},
		{"addr-felt", func() (Value, error) { return a.Sub(five) }, "1:5", false},
		{"addr+(-1)", func() (Value, error) { return a.Add(FeltValue(felt.FromInt64(-1))) }, "1:9", false},
		{"addr-addr", func() (Value, error) { return RelocValue(Relocatable{1, 15}).Sub(a) }, "5", false},
		{"addr-addr other segment", func() (Value, error) { return RelocValue(Relocatable{2, 15}).Sub(a) }, "", true},
		{"addr below 0", func() (Value, error) { return a.Sub(Uint64Value(11)) }, "", true},
		{"felt*felt", func() (Value, error) { return five.Mul(five) }, "25", false},
		{"addr*felt", func() (Value, error) { return a.Mul(five) }, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.op()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && got.String() != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestWriteOnce(t *testing.T) {
	m := New()
	s := m.AddSegment()
	a := s.Add(3)
	if err := m.Set(a, Uint64Value(1)); err != nil {
		t.Fatal(err)
	}
	if err := m.Set(a, Uint64Value(1)); err != nil {
		t.Fatalf("rewriting the same value: %v", err)
	}
	err := m.Set(a, Uint64Value(2))
	var ie *InconsistentError
	if !errors.As(err, &ie) || err.Error() != "Inconsistent memory assignment at address 0:3. 1 != 2." {
		t.Fatalf("err = %v", err)
	}
	if _, err := m.Read(s.Add(2)); !errors.Is(err, ErrUnknownValue) {
		t.Fatalf("read of unset cell: %v", err)
	}
	if m.UsedSize(0) != 4 {
		t.Fatalf("used size %d", m.UsedSize(0))
	}
	if err := m.Set(Relocatable{Segment: 5}, Uint64Value(1)); err == nil {
		t.Fatal("write to a missing segment accepted")
	}
	m.Freeze()
	if err := m.Set(s.Add(9), Uint64Value(1)); err == nil {
		t.Fatal("write to frozen memory accepted")
	}
}

func TestPagesAndCells(t *testing.T) {
	m := New()
	s := m.AddSegment()
	offs := []uint64{0, 1, pageSize - 1, pageSize, 3*pageSize + 5}
	for _, o := range offs {
		if err := m.Set(s.Add(o), Uint64Value(o)); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint64
	for off, v := range m.Cells(0) {
		if u, _ := v.Felt().Uint64(); u != off {
			t.Fatalf("cell %d holds %v", off, v)
		}
		got = append(got, off)
	}
	if len(got) != len(offs) {
		t.Fatalf("cells %v, want %v", got, offs)
	}
	for i := range offs {
		if got[i] != offs[i] {
			t.Fatalf("cells %v, want %v", got, offs)
		}
	}
	if m.UsedSize(0) != 3*pageSize+6 || m.CountSet() != len(offs) {
		t.Fatalf("used %d count %d", m.UsedSize(0), m.CountSet())
	}
	if m.Get(s.Add(2 * pageSize)).IsSet() {
		t.Fatal("unwritten page reads as set")
	}
}

func TestValidationRule(t *testing.T) {
	m := New()
	s := m.AddSegment()
	m.SetValidationRule(0, func(m *Memory, a Relocatable) error {
		if v := m.Get(a); !v.IsFelt() {
			return errors.New("not a felt")
		}
		return nil
	})
	if err := m.Set(s, Uint64Value(1)); err != nil {
		t.Fatal(err)
	}
	if err := m.Set(s.Add(1), RelocValue(s)); err == nil {
		t.Fatal("rule not applied")
	}
}

func TestRelocationRules(t *testing.T) {
	m := New()
	real := m.AddSegment()
	other := m.AddSegment()
	tmp := m.AddTempSegment()
	if tmp.Segment != -1 {
		t.Fatalf("temp segment %d", tmp.Segment)
	}
	if err := m.Set(tmp.Add(1), Uint64Value(42)); err != nil {
		t.Fatal(err)
	}
	if err := m.Set(other, RelocValue(tmp.Add(1))); err != nil {
		t.Fatal(err)
	}
	if err := m.AddRelocationRule(tmp, real.Add(10)); err != nil {
		t.Fatal(err)
	}
	if err := m.AddRelocationRule(tmp, real); err == nil {
		t.Fatal("second rule for one segment accepted")
	}
	if err := m.AddRelocationRule(real, real); err == nil {
		t.Fatal("rule from a real segment accepted")
	}
	if got := m.Get(other); got != RelocValue(real.Add(11)) {
		t.Fatalf("read through rule = %v", got)
	}
	if err := m.RelocateTemporary(); err != nil {
		t.Fatal(err)
	}
	if v := m.Get(real.Add(11)); v != Uint64Value(42) {
		t.Fatalf("moved cell = %v", v)
	}
	if len(m.TempSegmentsInUse()) != 0 {
		t.Fatal("temporary segment still holds cells")
	}
}

func TestRelocationTable(t *testing.T) {
	m := New()
	for i := 0; i < 3; i++ {
		m.AddSegment()
	}
	_ = m.Set(Relocatable{0, 4}, Uint64Value(1))
	_ = m.Set(Relocatable{2, 0}, RelocValue(Relocatable{0, 2}))
	size := uint64(10)
	m.Finalize(1, &size, nil)
	bases := m.RelocationTable()
	want := []uint64{1, 6, 16, 17}
	for i := range want {
		if bases[i] != want[i] {
			t.Fatalf("bases = %v, want %v", bases, want)
		}
	}
	b, err := RelocateValue(m.Get(Relocatable{2, 0}), bases)
	if err != nil || b[0] != 3 {
		t.Fatalf("relocated address = %v, %v", b[:8], err)
	}
}

func TestFarPages(t *testing.T) {
	m := New()
	s := m.AddSegment()
	far := s.Add(1 << 38)
	if err := m.Set(far, Uint64Value(9)); err != nil {
		t.Fatal(err)
	}
	if err := m.Set(s, Uint64Value(1)); err != nil {
		t.Fatal(err)
	}
	if m.Get(far) != Uint64Value(9) || m.UsedSize(0) != 1<<38+1 {
		t.Fatalf("far cell = %v, used %d", m.Get(far), m.UsedSize(0))
	}
	var offs []uint64
	for off := range m.Cells(0) {
		offs = append(offs, off)
	}
	if len(offs) != 2 || offs[0] != 0 || offs[1] != 1<<38 {
		t.Fatalf("cells %v", offs)
	}
	if err := m.Set(s.Add(1<<41), Uint64Value(1)); err == nil {
		t.Fatal("write beyond the offset limit accepted")
	}
}

func TestLoad(t *testing.T) {
	data := make([]Value, pageSize+10)
	for i := range data {
		data[i] = Uint64Value(uint64(i))
	}
	m := New()
	s := m.AddSegment()
	if err := m.Set(s.Add(5), Uint64Value(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Load(s.Add(3), data); err == nil {
		t.Fatal("load over an inconsistent cell succeeded")
	}
	m = New()
	s = m.AddSegment()
	if err := m.Set(s.Add(7), Uint64Value(4)); err != nil {
		t.Fatal(err)
	}
	end, err := m.Load(s.Add(3), data)
	if err != nil {
		t.Fatal(err)
	}
	if end != s.Add(uint64(3+len(data))) || m.UsedSize(0) != uint64(3+len(data)) {
		t.Fatalf("end %v used %d", end, m.UsedSize(0))
	}
	for i := range data {
		if m.Get(s.Add(uint64(3+i))) != data[i] {
			t.Fatalf("cell %d = %v", 3+i, m.Get(s.Add(uint64(3+i))))
		}
	}
	if m.Get(s.Add(2)).IsSet() {
		t.Fatal("cell before the load is set")
	}
}

func TestRelocatableAddFelt(t *testing.T) {
	base := Relocatable{Segment: 2, Offset: 10}
	maxU := felt.FromUint64(^uint64(0))
	tests := []struct {
		name string
		f    felt.Felt
		want Relocatable
		err  string
	}{
		{"zero", felt.Zero, base, ""},
		{"small", felt.FromUint64(7), Relocatable{2, 17}, ""},
		{"negative", felt.FromInt64(-10), Relocatable{2, 0}, ""},
		{"negative one", felt.FromInt64(-1), Relocatable{2, 9}, ""},
		{"below zero", felt.FromInt64(-11), Relocatable{}, "address 2:10 + -11 is out of range"},
		{"overflow", maxU, Relocatable{}, "offset of 2:10 + 18446744073709551615 overflows"},
		{"large", maxU.Add(felt.One), Relocatable{}, "address 2:10 + 18446744073709551616 is out of range"},
		{"large negative", maxU.Add(felt.One).Neg(), Relocatable{}, "address 2:10 + -18446744073709551616 is out of range"},
		{"half", felt.MustFromString("0x400000000000008800000000000000000000000000000000000000000000000"), Relocatable{}, "is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := base.AddFelt(tt.f)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("AddFelt(%s) = %s, %v; want error %q", tt.f, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("AddFelt(%s) = %s, %v; want %s", tt.f, got, err, tt.want)
			}
		})
	}
}

func TestFeltLimbs(t *testing.T) {
	vals := []felt.Felt{felt.Zero, felt.One, felt.FromUint64(^uint64(0)), felt.FromInt64(-1), felt.FromInt64(-2),
		felt.MustFromString("0x400000000000008800000000000000000000000000000000000000000000000"),
		felt.MustFromString("0x800000000000010ffffffffffffffffffffffffffffffffffffffffffffffff")}
	x := felt.MustFromString("0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcd")
	for i := 0; i < 1000; i++ {
		vals = append(vals, x)
		x = x.Mul(x).Add(felt.FromUint64(uint64(i)))
	}
	for _, f := range vals {
		if got, want := FeltValue(f).FeltLimbs(), f.Limbs(); got != want {
			t.Fatalf("FeltLimbs(%s) = %x, want %x", f, got, want)
		}
	}
}

func TestFeltValueFromLimbs(t *testing.T) {
	p := [4]uint64{1, 0, 0, modulusTop}
	tests := [][4]uint64{
		{}, {1}, {^uint64(0)}, {0, 1}, {^uint64(0), ^uint64(0), ^uint64(0), modulusTop - 1},
		{0, 0, 0, modulusTop}, // P - 1
		p,                     // P, reduced to 0
		{2, 0, 0, modulusTop}, // P + 1
		{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}, // 2^256 - 1
		{0x0123456789abcdef, 0xfedcba9876543210, 0x55aa55aa55aa55aa, 0x07ffffffffffffff},
	}
	x := felt.MustFromString("0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcd")
	for i := 0; i < 500; i++ {
		tests = append(tests, x.Limbs())
		x = x.Mul(x).Add(felt.FromUint64(uint64(i)))
	}
	for _, l := range tests {
		got, want := FeltValueFromLimbs(l), FeltValue(felt.FromLimbs(l))
		if got != want {
			t.Fatalf("FeltValueFromLimbs(%x) = %s, want %s", l, got, want)
		}
	}
}

// TestSegmentCountSet: the count of set cells follows every way a cell is
// written (the fast and slow paths of Set, Load over new and existing
// cells, far pages, a validated segment) and ignores rewrites of a set
// cell with its own value and failed writes.
func TestSegmentCountSet(t *testing.T) {
	data := make([]Value, pageSize+10)
	for i := range data {
		data[i] = Uint64Value(uint64(i))
	}
	tests := []struct {
		name  string
		write func(m *Memory, s Relocatable)
		want  uint64
	}{
		{"new page, then its fast path", func(m *Memory, s Relocatable) {
			_ = m.Set(s.Add(3), Uint64Value(1))
			_ = m.Set(s.Add(4), Uint64Value(1))
		}, 2},
		{"same value again", func(m *Memory, s Relocatable) {
			_ = m.Set(s.Add(3), Uint64Value(1))
			_ = m.Set(s.Add(3), Uint64Value(1))
		}, 1},
		{"inconsistent write", func(m *Memory, s Relocatable) {
			_ = m.Set(s.Add(3), Uint64Value(1))
			_ = m.Set(s.Add(3), Uint64Value(2))
		}, 1},
		{"far page", func(m *Memory, s Relocatable) {
			_ = m.Set(s.Add(uint64(maxDensePages+1)<<pageBits), Uint64Value(1))
		}, 1},
		{"load over two cells already set", func(m *Memory, s Relocatable) {
			_ = m.Set(s.Add(5), Uint64Value(2))
			_ = m.Set(s.Add(pageSize+1), Uint64Value(pageSize-2))
			if _, err := m.Load(s.Add(3), data); err != nil {
				t.Fatal(err)
			}
		}, pageSize + 10},
		{"failed load", func(m *Memory, s Relocatable) {
			_ = m.Set(s.Add(5), Uint64Value(7))
			if _, err := m.Load(s.Add(3), data); err == nil {
				t.Fatal("load over an inconsistent cell succeeded")
			}
		}, 1},
		{"validated segment", func(m *Memory, s Relocatable) {
			m.SetValidationRule(s.Segment, func(*Memory, Relocatable) error { return nil })
			if _, err := m.Load(s.Add(3), data[:20]); err != nil {
				t.Fatal(err)
			}
		}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			m.AddSegment()
			s := m.AddSegment()
			tt.write(m, s)
			if got := m.SegmentCountSet(s.Segment); got != tt.want {
				t.Errorf("SegmentCountSet = %d, want %d", got, tt.want)
			}
			n := uint64(0)
			for range m.Cells(s.Segment) {
				n++
			}
			if n != tt.want || m.CountSet() != int(tt.want) || m.SegmentCountSet(0) != 0 {
				t.Errorf("cells %d, CountSet %d, segment 0 %d; want %d, %d, 0", n, m.CountSet(), m.SegmentCountSet(0), tt.want, tt.want)
			}
		})
	}
}

func TestFence(t *testing.T) {
	data := make([]Value, 8)
	for i := range data {
		data[i] = Uint64Value(uint64(i) + 1)
	}
	const below = pageSize + 100
	tests := []struct {
		name  string
		write func(m *Memory, s Relocatable) error
		calls int
	}{
		{"set above the fence", func(m *Memory, s Relocatable) error {
			return m.Set(s.Add(below), Uint64Value(1))
		}, 0},
		{"set below the fence on an existing page", func(m *Memory, s Relocatable) error {
			return m.Set(s.Add(pageSize+5), Uint64Value(1))
		}, 1},
		{"set below the fence where the page grows", func(m *Memory, s Relocatable) error {
			return m.Set(s.Add(2000), Uint64Value(1))
		}, 1},
		{"same value again below the fence", func(m *Memory, s Relocatable) error {
			return m.Set(s.Add(7), Uint64Value(70))
		}, 0},
		{"inconsistent write below the fence", func(m *Memory, s Relocatable) error {
			if err := m.Set(s.Add(7), Uint64Value(71)); err == nil {
				return errors.New("inconsistent write accepted")
			}
			return nil
		}, 0},
		{"load across the fence", func(m *Memory, s Relocatable) error {
			_, err := m.Load(s.Add(below-4), data)
			return err
		}, 1},
		{"load above the fence", func(m *Memory, s Relocatable) error {
			_, err := m.Load(s.Add(below), data)
			return err
		}, 0},
		{"relocation of temporary segments", func(m *Memory, s Relocatable) error {
			tmp := m.AddTempSegment()
			if err := m.Set(s.Add(below+1), RelocValue(tmp)); err != nil {
				return err
			}
			if err := m.AddRelocationRule(tmp, s.Add(below+10)); err != nil {
				return err
			}
			return m.RelocateTemporary()
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New()
			m.AddSegment()
			s := m.AddSegment()
			// Pages 0 and 1 exist, and cell 7 is set.
			if err := m.Set(s.Add(7), Uint64Value(70)); err != nil {
				t.Fatal(err)
			}
			if err := m.Set(s.Add(pageSize+200), Uint64Value(1)); err != nil {
				t.Fatal(err)
			}
			calls := 0
			m.SetFence(s.Segment, below, func() { calls++ })
			if err := tt.write(m, s); err != nil {
				t.Fatal(err)
			}
			if calls != tt.calls {
				t.Errorf("fence called %d times, want %d", calls, tt.calls)
			}
			m.SetFence(s.Segment, 0, nil)
			if err := m.Set(s.Add(9), Uint64Value(1)); err != nil || calls != tt.calls {
				t.Errorf("after removing the fence: err %v, %d calls, want nil, %d", err, calls, tt.calls)
			}
		})
	}
}
