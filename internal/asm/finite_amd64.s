#include "textflag.h"

// The finiteness kernels (finite_amd64.go) test the exponent field of 16
// float32 or 8 float64 entries per iteration: VPAND with the exponent mask,
// VPCMPEQD/VPCMPEQQ with the mask (all ones where the exponent is all ones:
// NaN or ±Inf), VPOR into Y1; the last n mod 16 (n mod 8) entries are
// tested one at a time in general registers. Registers: AX is the index,
// BX = n rounded down to the step, CX = n, Y0 (R8) holds the mask.

// func NonFinite32(n int, x *float32) bool
TEXT ·NonFinite32(SB), NOSPLIT, $0-17
	MOVQ         n+0(FP), CX
	MOVQ         x+8(FP), SI
	MOVQ         $0x7f800000, R8
	MOVQ         R8, X0
	VPBROADCASTD X0, Y0
	VPXOR        Y1, Y1, Y1
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-16, BX

loop16:
	CMPQ     AX, BX
	JGE      tail
	VPAND    (SI)(AX*4), Y0, Y2
	VPAND    32(SI)(AX*4), Y0, Y3
	VPCMPEQD Y0, Y2, Y2
	VPCMPEQD Y0, Y3, Y3
	VPOR     Y2, Y1, Y1
	VPOR     Y3, Y1, Y1
	ADDQ     $16, AX
	JMP      loop16

tail:
	CMPQ AX, CX
	JGE  done
	MOVL (SI)(AX*4), DX
	ANDL R8, DX
	CMPL DX, R8
	JEQ  found
	INCQ AX
	JMP  tail

done:
	VPTEST Y1, Y1
	SETNE  ret+16(FP)
	VZEROUPPER
	RET

found:
	MOVB $1, ret+16(FP)
	VZEROUPPER
	RET

// func NonFinite64(n int, x *float64) bool
TEXT ·NonFinite64(SB), NOSPLIT, $0-17
	MOVQ         n+0(FP), CX
	MOVQ         x+8(FP), SI
	MOVQ         $0x7ff0000000000000, R8
	MOVQ         R8, X0
	VPBROADCASTQ X0, Y0
	VPXOR        Y1, Y1, Y1
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-8, BX

loop8:
	CMPQ     AX, BX
	JGE      tail64
	VPAND    (SI)(AX*8), Y0, Y2
	VPAND    32(SI)(AX*8), Y0, Y3
	VPCMPEQQ Y0, Y2, Y2
	VPCMPEQQ Y0, Y3, Y3
	VPOR     Y2, Y1, Y1
	VPOR     Y3, Y1, Y1
	ADDQ     $8, AX
	JMP      loop8

tail64:
	CMPQ AX, CX
	JGE  done64
	MOVQ (SI)(AX*8), DX
	ANDQ R8, DX
	CMPQ DX, R8
	JEQ  found64
	INCQ AX
	JMP  tail64

done64:
	VPTEST Y1, Y1
	SETNE  ret+16(FP)
	VZEROUPPER
	RET

found64:
	MOVB $1, ret+16(FP)
	VZEROUPPER
	RET
