#include "textflag.h"

// The MulSum kernels (mulsum_amd64.go) work on four entries per YMM
// register: s = a + b[j] (VADDPD), x[j]·s (VMULPD), one rounding each, a
// float32 x widened exactly (VCVTPS2PD) and the product rounded to float32
// once (VCVTPD2PS); the last n mod 4 entries go through the scalar forms.
// Registers: AX is the index, BX = n rounded down to a multiple of 4,
// CX = n, Y15 holds a.

// func MulSum32(n int, x *float32, a float64, b *float64)
TEXT ·MulSum32(SB), NOSPLIT, $0-32
	MOVQ         n+0(FP), CX
	MOVQ         x+8(FP), SI
	VBROADCASTSD a+16(FP), Y15
	MOVQ         b+24(FP), DI
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-4, BX

loop32:
	CMPQ       AX, BX
	JGE        tail32
	VADDPD     (DI)(AX*8), Y15, Y1
	VCVTPS2PD  (SI)(AX*4), Y0
	VMULPD     Y1, Y0, Y0
	VCVTPD2PSY Y0, X0
	VMOVUPS    X0, (SI)(AX*4)
	ADDQ       $4, AX
	JMP        loop32

tail32:
	CMPQ      AX, CX
	JGE       done32
	VADDSD    (DI)(AX*8), X15, X1
	VCVTSS2SD (SI)(AX*4), X0, X0
	VMULSD    X1, X0, X0
	VCVTSD2SS X0, X0, X0
	VMOVSS    X0, (SI)(AX*4)
	INCQ      AX
	JMP       tail32

done32:
	VZEROUPPER
	RET

// func MulSum64(n int, x *float64, a float64, b *float64)
TEXT ·MulSum64(SB), NOSPLIT, $0-32
	MOVQ         n+0(FP), CX
	MOVQ         x+8(FP), SI
	VBROADCASTSD a+16(FP), Y15
	MOVQ         b+24(FP), DI
	XORQ         AX, AX
	MOVQ         CX, BX
	ANDQ         $-4, BX

loop64:
	CMPQ    AX, BX
	JGE     tail64
	VADDPD  (DI)(AX*8), Y15, Y1
	VMULPD  (SI)(AX*8), Y1, Y0
	VMOVUPD Y0, (SI)(AX*8)
	ADDQ    $4, AX
	JMP     loop64

tail64:
	CMPQ   AX, CX
	JGE    done64
	VADDSD (DI)(AX*8), X15, X1
	VMULSD (SI)(AX*8), X1, X0
	VMOVSD X0, (SI)(AX*8)
	INCQ   AX
	JMP    tail64

done64:
	VZEROUPPER
	RET
