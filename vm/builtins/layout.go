package builtins

import (
	"fmt"
	"strings"
)

// Builtin names, in cairo-lang's canonical order (all_builtins.ALL_BUILTINS).
const (
	NameOutput       = "output"
	NamePedersen     = "pedersen"
	NameRangeCheck   = "range_check"
	NameEcdsa        = "ecdsa"
	NameBitwise      = "bitwise"
	NameEcOp         = "ec_op"
	NameKeccak       = "keccak"
	NamePoseidon     = "poseidon"
	NameRangeCheck96 = "range_check96"
	NameAddMod       = "add_mod"
	NameMulMod       = "mul_mod"
	// NameSegmentArena is the Starknet segment arena builtin; it belongs to
	// no proof layout and is only created on request (Config.SegmentArena).
	NameSegmentArena = "segment_arena"
)

// Names lists the builtins cairo-run supports, in the order programs must
// declare them.
var Names = [...]string{
	NameOutput, NamePedersen, NameRangeCheck, NameEcdsa, NameBitwise, NameEcOp,
	NameKeccak, NamePoseidon, NameRangeCheck96, NameAddMod, NameMulMod,
}

// isLowRatio reports whether the builtin may have a ratio below one
// (all_builtins.LOW_RATIO_BUILTINS).
func isLowRatio(name string) bool {
	return name == NameAddMod || name == NameMulMod || name == NameRangeCheck96
}

// componentHeight is instances.COMPONENT_HEIGHT.
const componentHeight = 16

// BuiltinDef is a layout's definition of one builtin instance (cairo-lang's
// *InstanceDef classes). Only the fields of the builtin's kind are used.
type BuiltinDef struct {
	Name string
	// Ratio is the number of steps per instance (0: the builtin is unused
	// in the layout). DynamicRatio marks a ratio that is not fixed (None in
	// cairo-lang): the allocation then follows the usage.
	Ratio        uint64
	DynamicRatio bool
	// RatioDen divides the ratio for the low-ratio builtins (range_check96,
	// add_mod, mul_mod); it is 1 for the others.
	RatioDen uint64

	// pedersen (PedersenInstanceDef) and ecdsa (EcdsaInstanceDef).
	Repetitions   uint64
	ElementHeight uint64 // pedersen
	ElementBits   uint64 // pedersen
	NInputs       uint64 // pedersen
	Height        uint64 // ecdsa
	NHashBits     uint64 // ecdsa
	// range_check and range_check96: 16-bit parts per instance.
	NParts uint64
	// bitwise: bits of each input.
	TotalNBits uint64
	// ec_op: scalar height and bits (the scalar limit is the field prime).
	ScalarHeight uint64
	ScalarBits   uint64
	// keccak: bits per state felt and instances per component.
	StateRep              []uint64
	InstancesPerComponent uint64
	// poseidon.
	PartialRoundsPartition []uint64
	// add_mod and mul_mod.
	WordBitLen uint64
	NWords     uint64
	BatchSize  uint64
}

// Cells per instance of the fixed-size builtins.
const (
	cellsPerHash      = 3
	cellsPerSignature = 2
	cellsPerBitwise   = 5
	cellsPerEcOp      = 7
	inputCellsEcOp    = 5
	poseidonM         = 3
	keccakHeight      = 32768
	bitwiseHeight     = 64
	modInputCells     = 7  // p0..p3, values_ptr, offsets_ptr, n
	modMemoryVars     = 15 // a/b/c offsets and 4 words each of a, b, c
)

// MemoryCellsPerInstance is the number of memory cells one instance uses.
func (d *BuiltinDef) MemoryCellsPerInstance() uint64 {
	switch d.Name {
	case NamePedersen:
		return cellsPerHash
	case NameRangeCheck, NameRangeCheck96:
		return 1
	case NameEcdsa:
		return cellsPerSignature
	case NameBitwise:
		return cellsPerBitwise
	case NameEcOp:
		return cellsPerEcOp
	case NameKeccak:
		return 2 * uint64(len(d.StateRep))
	case NamePoseidon:
		return 2 * poseidonM
	case NameAddMod, NameMulMod:
		return d.NWords + 3 + d.BatchSize*3*(d.NWords+1)
	}
	return 0
}

// RangeCheckUnitsPerBuiltin is the number of range-check units one
// instance uses.
func (d *BuiltinDef) RangeCheckUnitsPerBuiltin() uint64 {
	switch d.Name {
	case NameRangeCheck, NameRangeCheck96:
		return d.NParts
	case NameMulMod:
		const bitsPerPart = 16
		pMulParts := d.WordBitLen / bitsPerPart
		carryParts := pMulParts + ceilDiv(log2Ceil(d.NWords)+1, bitsPerPart)
		return (d.NWords*pMulParts + 2*(d.NWords-1)*carryParts) * d.BatchSize
	}
	return 0
}

// InvocationHeight is the number of trace rows one invocation uses.
func (d *BuiltinDef) InvocationHeight() uint64 {
	switch d.Name {
	case NamePedersen:
		return d.ElementHeight * d.NInputs
	case NameRangeCheck, NameRangeCheck96:
		return d.NParts
	case NameEcdsa:
		return 2 * d.Height
	case NameBitwise:
		return bitwiseHeight
	case NameEcOp:
		return d.ScalarHeight
	case NameKeccak:
		return keccakHeight
	case NamePoseidon:
		m := uint64(8)
		for _, p := range d.PartialRoundsPartition {
			m = max(m, p)
		}
		return nextPowerOf2(m)
	case NameAddMod, NameMulMod:
		return d.BatchSize
	}
	return 0
}

// DilutedUnitsPerBuiltin is the number of diluted check units one instance
// uses (bitwise and keccak).
func (d *BuiltinDef) DilutedUnitsPerBuiltin(spacing, nBits uint64) uint64 {
	switch d.Name {
	case NameBitwise:
		return bitwiseDilutedUnits(d.TotalNBits, spacing, nBits)
	case NameKeccak:
		if nBits == 0 {
			return 0
		}
		return (1 << 18) / nBits
	}
	return 0
}

// bitwiseDilutedUnits is BitwiseInstanceDef.get_diluted_units_per_builtin.
func bitwiseDilutedUnits(totalNBits, spacing, nBits uint64) uint64 {
	step := spacing * nBits
	if step == 0 {
		return 0
	}
	var partition, trimmed uint64
	for i := uint64(0); i < totalNBits; i += step {
		for j := uint64(0); j < spacing; j++ {
			shift := i + j
			if shift >= totalNBits {
				continue
			}
			partition++
			if shift+spacing*(nBits-1)+1 > totalNBits {
				trimmed++
			}
		}
	}
	return 4*partition + trimmed
}

// DilutedPool is a layout's diluted pool (DilutedPoolInstanceDef).
type DilutedPool struct {
	// LogUnitsPerStep is log2 of the diluted cells per step (may be
	// negative).
	LogUnitsPerStep int64
	// Spacing and NBits describe the dilution: NBits information bits, each
	// followed by Spacing-1 zero bits.
	Spacing uint64
	NBits   uint64
}

// Layout is a Cairo AIR layout (instances.CairoLayout).
type Layout struct {
	Name             string
	CPUComponentStep uint64
	// RCUnits is the number of range-check units per step.
	RCUnits uint64
	// PublicMemoryFraction is the ratio of all memory cells to public ones.
	PublicMemoryFraction uint64
	MemoryUnitsPerStep   uint64
	// Diluted is nil for layouts without a diluted pool.
	Diluted *DilutedPool
	// NTraceColumns is 0 where cairo-lang leaves it unset (dynamic).
	NTraceColumns uint64
	// Builtins are the layout's builtins in order; output has a def with
	// only its name.
	Builtins []BuiltinDef
	// Unparameterized marks the "dynamic" layout before its parameters are
	// known: CPUComponentStep, RCUnits, MemoryUnitsPerStep and
	// Diluted.LogUnitsPerStep are unset and every ratio is dynamic.
	Unparameterized bool
	// DynamicParams holds the parameters a dynamic layout was built from.
	DynamicParams *LayoutParams
}

// Builtin returns the layout's definition of a builtin.
func (l *Layout) Builtin(name string) (*BuiltinDef, bool) {
	for i := range l.Builtins {
		if l.Builtins[i].Name == name {
			return &l.Builtins[i], true
		}
	}
	return nil, false
}

// HasBuiltin reports whether the layout has the builtin.
func (l *Layout) HasBuiltin(name string) bool {
	_, ok := l.Builtin(name)
	return ok
}

// BuiltinNames lists the layout's builtins in order.
func (l *Layout) BuiltinNames() []string {
	out := make([]string, len(l.Builtins))
	for i := range l.Builtins {
		out[i] = l.Builtins[i].Name
	}
	return out
}

// DilutedUnitsRowRatio is CairoLayout.diluted_units_row_ratio.
func (l *Layout) DilutedUnitsRowRatio() (uint64, error) {
	if l.Diluted == nil || l.Unparameterized {
		return 0, fmt.Errorf("layout %q has no diluted pool parameters", l.Name)
	}
	rows := componentHeight * l.CPUComponentStep
	if lg := l.Diluted.LogUnitsPerStep; lg >= 0 {
		if lg >= 64 || rows%(1<<uint(lg)) != 0 {
			return 0, fmt.Errorf("%d is not divisible by 2^%d", rows, lg)
		}
		return rows >> uint(lg), nil
	} else {
		if -lg >= 64 {
			return 0, fmt.Errorf("diluted log units per step %d is out of range", lg)
		}
		return rows << uint(-lg), nil
	}
}

func pedersenDef(ratio, repetitions uint64) BuiltinDef {
	return BuiltinDef{Name: NamePedersen, Ratio: ratio, RatioDen: 1, Repetitions: repetitions,
		ElementHeight: 256, ElementBits: 252, NInputs: 2}
}

func rangeCheckDef(ratio uint64) BuiltinDef {
	return BuiltinDef{Name: NameRangeCheck, Ratio: ratio, RatioDen: 1, NParts: 8}
}

func rangeCheck96Def(ratio, den uint64) BuiltinDef {
	return BuiltinDef{Name: NameRangeCheck96, Ratio: ratio, RatioDen: den, NParts: 6}
}

func ecdsaDef(ratio uint64) BuiltinDef {
	return BuiltinDef{Name: NameEcdsa, Ratio: ratio, RatioDen: 1, Repetitions: 1, Height: 256, NHashBits: 251}
}

func bitwiseDef(ratio uint64) BuiltinDef {
	return BuiltinDef{Name: NameBitwise, Ratio: ratio, RatioDen: 1, TotalNBits: 251}
}

func ecOpDef(ratio uint64) BuiltinDef {
	return BuiltinDef{Name: NameEcOp, Ratio: ratio, RatioDen: 1, ScalarHeight: 256, ScalarBits: 252}
}

func keccakDef(ratio uint64) BuiltinDef {
	return BuiltinDef{Name: NameKeccak, Ratio: ratio, RatioDen: 1,
		StateRep:              []uint64{200, 200, 200, 200, 200, 200, 200, 200},
		InstancesPerComponent: 16}
}

func poseidonDef(ratio uint64) BuiltinDef {
	return BuiltinDef{Name: NamePoseidon, Ratio: ratio, RatioDen: 1, PartialRoundsPartition: []uint64{64, 22}}
}

func modDef(name string, ratio, den uint64) BuiltinDef {
	return BuiltinDef{Name: name, Ratio: ratio, RatioDen: den, WordBitLen: 96, NWords: 4, BatchSize: 1}
}

var outputDef = BuiltinDef{Name: NameOutput}

func diluted(log int64) *DilutedPool {
	return &DilutedPool{LogUnitsPerStep: log, Spacing: 4, NBits: 16}
}

// layoutNames is the order LayoutByName lists the layouts in (cairo-lang's
// LAYOUTS, then all_cairo).
var layoutNames = []string{
	"plain", "small", "dex", "recursive", "starknet", "recursive_large_output",
	"all_solidity", "starknet_with_keccak", "dynamic", "recursive_with_poseidon", "all_cairo",
}

// LayoutNames lists every layout name LayoutByName accepts.
func LayoutNames() []string { return append([]string(nil), layoutNames...) }

// base returns a layout with cairo-lang's CairoLayout defaults.
func baseLayout(name string) Layout {
	return Layout{Name: name, CPUComponentStep: 1, RCUnits: 16, PublicMemoryFraction: 4, MemoryUnitsPerStep: 8}
}

// LayoutByName returns the layout with cairo-lang's name. "dynamic" gives the
// unparameterized dynamic layout; use LayoutParams.Layout for a runnable one.
// Each call returns a fresh copy.
func LayoutByName(name string) (Layout, error) {
	l := baseLayout(name)
	switch name {
	case "plain":
		l.NTraceColumns = 8
	case "small":
		l.RCUnits = 16
		l.Builtins = []BuiltinDef{outputDef, pedersenDef(8, 4), rangeCheckDef(8), ecdsaDef(512)}
		l.NTraceColumns = 25
	case "dex":
		l.RCUnits = 4
		l.Builtins = []BuiltinDef{outputDef, pedersenDef(8, 4), rangeCheckDef(8), ecdsaDef(512)}
		l.NTraceColumns = 22
	case "starknet":
		l.RCUnits = 4
		l.Diluted = diluted(1)
		l.Builtins = []BuiltinDef{outputDef, pedersenDef(32, 1), rangeCheckDef(16), ecdsaDef(2048),
			bitwiseDef(64), ecOpDef(1024), poseidonDef(32)}
		l.NTraceColumns = 10
	case "starknet_with_keccak":
		l.RCUnits = 4
		l.Diluted = diluted(4)
		l.Builtins = []BuiltinDef{outputDef, pedersenDef(32, 1), rangeCheckDef(16), ecdsaDef(2048),
			bitwiseDef(64), ecOpDef(1024), keccakDef(2048), poseidonDef(32)}
		l.NTraceColumns = 15
	case "recursive":
		l.RCUnits = 4
		l.PublicMemoryFraction = 8
		l.Diluted = diluted(4)
		l.Builtins = []BuiltinDef{outputDef, pedersenDef(128, 1), rangeCheckDef(8), bitwiseDef(8)}
		l.NTraceColumns = 10
	case "recursive_with_poseidon":
		l.RCUnits = 4
		l.PublicMemoryFraction = 8
		l.Diluted = diluted(3)
		l.Builtins = []BuiltinDef{outputDef, pedersenDef(256, 1), rangeCheckDef(16), bitwiseDef(16), poseidonDef(64)}
		l.NTraceColumns = 8
	case "recursive_large_output":
		l.RCUnits = 4
		l.PublicMemoryFraction = 8
		l.Diluted = diluted(4)
		l.Builtins = []BuiltinDef{outputDef, pedersenDef(128, 1), rangeCheckDef(8), bitwiseDef(8), poseidonDef(8)}
		l.NTraceColumns = 12
	case "all_cairo":
		l.RCUnits = 8
		l.PublicMemoryFraction = 8
		l.Diluted = diluted(4)
		l.Builtins = []BuiltinDef{outputDef, pedersenDef(256, 1), rangeCheckDef(8), ecdsaDef(2048),
			bitwiseDef(16), ecOpDef(1024), keccakDef(2048), poseidonDef(256), rangeCheck96Def(8, 1),
			modDef(NameAddMod, 128, 1), modDef(NameMulMod, 256, 1)}
		l.NTraceColumns = 12
	case "all_solidity":
		l.RCUnits = 8
		l.PublicMemoryFraction = 8
		l.Diluted = diluted(4)
		l.Builtins = []BuiltinDef{outputDef, pedersenDef(8, 4), rangeCheckDef(8), ecdsaDef(512),
			bitwiseDef(256), ecOpDef(256)}
		l.NTraceColumns = 27
	case "dynamic":
		return unparameterizedDynamicLayout(), nil
	default:
		return Layout{}, fmt.Errorf("unknown layout %q; valid layouts: %s", name, strings.Join(layoutNames, ", "))
	}
	return l, nil
}

// dynamicBuiltins is build_builtins_dict_with_default_params: every builtin
// with the given ratios (dynamic when ratios is nil).
func dynamicBuiltins(ratio func(name string) (uint64, uint64)) []BuiltinDef {
	defs := []BuiltinDef{outputDef, pedersenDef(0, 1), rangeCheckDef(0), ecdsaDef(0), bitwiseDef(0),
		ecOpDef(0), keccakDef(0), poseidonDef(0), rangeCheck96Def(0, 1),
		modDef(NameAddMod, 0, 1), modDef(NameMulMod, 0, 1)}
	for i := 1; i < len(defs); i++ {
		if ratio == nil {
			defs[i].DynamicRatio = true
			continue
		}
		defs[i].Ratio, defs[i].RatioDen = ratio(defs[i].Name)
	}
	return defs
}

func unparameterizedDynamicLayout() Layout {
	return Layout{
		Name:                 "dynamic",
		PublicMemoryFraction: 8,
		Diluted:              &DilutedPool{Spacing: 4, NBits: 16},
		Builtins:             dynamicBuiltins(nil),
		Unparameterized:      true,
	}
}

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }

func log2Ceil(x uint64) uint64 {
	if x <= 1 {
		return 0
	}
	n := uint64(0)
	for v := x - 1; v > 0; v >>= 1 {
		n++
	}
	return n
}

// nextPowerOf2 is the smallest power of two >= x (x > 0).
func nextPowerOf2(x uint64) uint64 {
	p := uint64(1)
	for p < x {
		p <<= 1
	}
	return p
}
