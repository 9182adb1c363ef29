package instruction

import (
	"errors"
	"testing"
)

func TestDecodeKnownEncodings(t *testing.T) {
	tests := []struct {
		name string
		enc  uint64
		want Instruction
	}{
		{
			name: "ap += 1",
			enc:  0x40780017fff7fff,
			want: Instruction{OffDst: -1, OffOp0: -1, OffOp1: 1, DstReg: FP, Op0Reg: FP, Op1Src: Op1Imm, Res: ResOp1, PcUpdate: PcRegular, ApUpdate: ApAdd, FpUpdate: FpRegular, Opcode: OpNop},
		},
		{
			name: "call rel imm",
			enc:  0x1104800180018000,
			want: Instruction{OffDst: 0, OffOp0: 1, OffOp1: 1, DstReg: AP, Op0Reg: AP, Op1Src: Op1Imm, Res: ResOp1, PcUpdate: PcJumpRel, ApUpdate: ApAdd2, FpUpdate: FpAPPlus2, Opcode: OpCall},
		},
		{
			name: "jmp rel 0",
			enc:  0x10780017fff7fff,
			want: Instruction{OffDst: -1, OffOp0: -1, OffOp1: 1, DstReg: FP, Op0Reg: FP, Op1Src: Op1Imm, Res: ResOp1, PcUpdate: PcJumpRel, ApUpdate: ApRegular, FpUpdate: FpRegular, Opcode: OpNop},
		},
		{
			name: "ret",
			enc:  0x208b7fff7fff7ffe,
			want: Instruction{OffDst: -2, OffOp0: -1, OffOp1: -1, DstReg: FP, Op0Reg: FP, Op1Src: Op1FP, Res: ResOp1, PcUpdate: PcJump, ApUpdate: ApRegular, FpUpdate: FpDst, Opcode: OpRet},
		},
		{
			name: "[fp + (-4)] = [[fp + (-5)]]",
			enc:  0x400380007ffb7ffc,
			want: Instruction{OffDst: -4, OffOp0: -5, OffOp1: 0, DstReg: FP, Op0Reg: FP, Op1Src: Op1Op0, Res: ResOp1, PcUpdate: PcRegular, ApUpdate: ApRegular, FpUpdate: FpRegular, Opcode: OpAssertEq},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.enc)
			if err != nil {
				t.Fatalf("Decode(%#x): %v", tt.enc, err)
			}
			if got != tt.want {
				t.Fatalf("Decode(%#x) =\n %+v, want\n %+v", tt.enc, got, tt.want)
			}
			back, err := got.Encode()
			if err != nil || back != tt.enc {
				t.Fatalf("Encode = %#x, %v; want %#x", back, err, tt.enc)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name string
		enc  uint64
	}{
		{"high bit", 1 << 63},
		{"two op1 sources", uint64(0b11) << (48 + bitOp1Imm)},
		{"add and mul", uint64(0b11) << (48 + bitResAdd)},
		{"two pc updates", uint64(0b11) << (48 + bitPcJumpAbs)},
		{"two ap updates", uint64(0b11) << (48 + bitApAdd)},
		{"two opcodes", uint64(0b11) << (48 + bitOpCall)},
		{"jnz with add", uint64(1)<<(48+bitPcJnz) | uint64(1)<<(48+bitResAdd)},
		{"call with ap++", uint64(1)<<(48+bitOpCall) | uint64(1)<<(48+bitApAdd1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.enc); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Decode(%#x) error = %v, want ErrUnsupported", tt.enc, err)
			}
		})
	}
}

// FuzzDecode checks that decoding never panics and that every accepted
// encoding re-encodes to itself.
func FuzzDecode(f *testing.F) {
	for _, seed := range []uint64{0, 0x40780017fff7fff, 0x1104800180018000, 0x208b7fff7fff7ffe, 1 << 63, ^uint64(0)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, enc uint64) {
		in, err := Decode(enc)
		if err != nil {
			return
		}
		back, err := in.Encode()
		if err != nil {
			t.Fatalf("Encode(Decode(%#x)): %v", enc, err)
		}
		if back != enc {
			t.Fatalf("round trip %#x -> %#x", enc, back)
		}
	})
}
