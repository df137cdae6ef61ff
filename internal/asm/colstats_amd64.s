#include "textflag.h"

// The column-statistics kernels (colstats_amd64.go) work on four columns
// per YMM register: a float32 row is widened with VCVTPS2PD, each column is
// updated with separate VSUBPD, VMULPD and VADDPD (one rounding per
// operation, no FMA) and a float32 result is narrowed with VCVTPD2PS (the
// rounding mode of MXCSR, round to nearest even as Go's float32()). The
// last n mod 4 columns go through the same operations on scalars (VCVTSS2SD,
// VSUBSD, VMULSD, VADDSD, VCVTSD2SS). Registers: AX is the column index,
// BX = n rounded down to a multiple of 4, CX = n.

// func AddRow32(n int, x *float32, acc *float64)
TEXT ·AddRow32(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ acc+16(FP), DI
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VCVTPS2PD (SI)(AX*4), Y0
	VADDPD    (DI)(AX*8), Y0, Y0
	VMOVUPD   Y0, (DI)(AX*8)
	ADDQ      $4, AX
	JMP       loop4

tail:
	CMPQ AX, CX
	JGE  done
	VCVTSS2SD (SI)(AX*4), X0, X0
	VADDSD    (DI)(AX*8), X0, X0
	VMOVSD    X0, (DI)(AX*8)
	INCQ      AX
	JMP       tail

done:
	VZEROUPPER
	RET

// func AddRow64(n int, x *float64, acc *float64)
TEXT ·AddRow64(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ acc+16(FP), DI
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VMOVUPD (SI)(AX*8), Y0
	VADDPD  (DI)(AX*8), Y0, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     loop4

tail:
	CMPQ AX, CX
	JGE  done
	VMOVSD (SI)(AX*8), X0
	VADDSD (DI)(AX*8), X0, X0
	VMOVSD X0, (DI)(AX*8)
	INCQ   AX
	JMP    tail

done:
	VZEROUPPER
	RET

// func AddSqDev32(n int, x *float32, mu, acc *float64)
TEXT ·AddSqDev32(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ mu+16(FP), DI
	MOVQ acc+24(FP), R8
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VCVTPS2PD (SI)(AX*4), Y0
	VSUBPD    (DI)(AX*8), Y0, Y0 // c = x - mu
	VMULPD    Y0, Y0, Y0         // c*c
	VADDPD    (R8)(AX*8), Y0, Y0 // acc + c*c
	VMOVUPD   Y0, (R8)(AX*8)
	ADDQ      $4, AX
	JMP       loop4

tail:
	CMPQ AX, CX
	JGE  done
	VCVTSS2SD (SI)(AX*4), X0, X0
	VSUBSD    (DI)(AX*8), X0, X0
	VMULSD    X0, X0, X0
	VADDSD    (R8)(AX*8), X0, X0
	VMOVSD    X0, (R8)(AX*8)
	INCQ      AX
	JMP       tail

done:
	VZEROUPPER
	RET

// func AddSqDev64(n int, x *float64, mu, acc *float64)
TEXT ·AddSqDev64(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ mu+16(FP), DI
	MOVQ acc+24(FP), R8
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VMOVUPD (SI)(AX*8), Y0
	VSUBPD  (DI)(AX*8), Y0, Y0 // c = x - mu
	VMULPD  Y0, Y0, Y0         // c*c
	VADDPD  (R8)(AX*8), Y0, Y0 // acc + c*c
	VMOVUPD Y0, (R8)(AX*8)
	ADDQ    $4, AX
	JMP     loop4

tail:
	CMPQ AX, CX
	JGE  done
	VMOVSD (SI)(AX*8), X0
	VSUBSD (DI)(AX*8), X0, X0
	VMULSD X0, X0, X0
	VADDSD (R8)(AX*8), X0, X0
	VMOVSD X0, (R8)(AX*8)
	INCQ   AX
	JMP    tail

done:
	VZEROUPPER
	RET

// func ScaleDev32(n int, x *float32, mu, inv *float64, out *float32)
TEXT ·ScaleDev32(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ mu+16(FP), DI
	MOVQ inv+24(FP), R8
	MOVQ out+32(FP), R9
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VCVTPS2PD  (SI)(AX*4), Y0
	VSUBPD     (DI)(AX*8), Y0, Y0 // x - mu
	VMULPD     (R8)(AX*8), Y0, Y0 // (x - mu) * inv
	VCVTPD2PSY Y0, X0
	VMOVUPS    X0, (R9)(AX*4)
	ADDQ       $4, AX
	JMP        loop4

tail:
	CMPQ AX, CX
	JGE  done
	VCVTSS2SD (SI)(AX*4), X0, X0
	VSUBSD    (DI)(AX*8), X0, X0
	VMULSD    (R8)(AX*8), X0, X0
	VCVTSD2SS X0, X0, X0
	VMOVSS    X0, (R9)(AX*4)
	INCQ      AX
	JMP       tail

done:
	VZEROUPPER
	RET

// func ScaleDev64(n int, x, mu, inv, out *float64)
TEXT ·ScaleDev64(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ mu+16(FP), DI
	MOVQ inv+24(FP), R8
	MOVQ out+32(FP), R9
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VMOVUPD (SI)(AX*8), Y0
	VSUBPD  (DI)(AX*8), Y0, Y0 // x - mu
	VMULPD  (R8)(AX*8), Y0, Y0 // (x - mu) * inv
	VMOVUPD Y0, (R9)(AX*8)
	ADDQ    $4, AX
	JMP     loop4

tail:
	CMPQ AX, CX
	JGE  done
	VMOVSD (SI)(AX*8), X0
	VSUBSD (DI)(AX*8), X0, X0
	VMULSD (R8)(AX*8), X0, X0
	VMOVSD X0, (R9)(AX*8)
	INCQ   AX
	JMP    tail

done:
	VZEROUPPER
	RET

// func AddRowProd32(n int, x, y *float32, sx, sxy *float64)
TEXT ·AddRowProd32(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ sx+24(FP), R8
	MOVQ sxy+32(FP), R9
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VCVTPS2PD (SI)(AX*4), Y0     // x
	VCVTPS2PD (DI)(AX*4), Y1     // y
	VADDPD    (R8)(AX*8), Y0, Y2 // sx + x
	VMOVUPD   Y2, (R8)(AX*8)
	VMULPD    Y1, Y0, Y1         // x*y
	VADDPD    (R9)(AX*8), Y1, Y1 // sxy + x*y
	VMOVUPD   Y1, (R9)(AX*8)
	ADDQ      $4, AX
	JMP       loop4

tail:
	CMPQ AX, CX
	JGE  done
	VCVTSS2SD (SI)(AX*4), X0, X0
	VCVTSS2SD (DI)(AX*4), X1, X1
	VADDSD    (R8)(AX*8), X0, X2
	VMOVSD    X2, (R8)(AX*8)
	VMULSD    X1, X0, X1
	VADDSD    (R9)(AX*8), X1, X1
	VMOVSD    X1, (R9)(AX*8)
	INCQ      AX
	JMP       tail

done:
	VZEROUPPER
	RET

// func AddRowProd64(n int, x, y, sx, sxy *float64)
TEXT ·AddRowProd64(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ sx+24(FP), R8
	MOVQ sxy+32(FP), R9
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VMOVUPD (SI)(AX*8), Y0     // x
	VADDPD  (R8)(AX*8), Y0, Y2 // sx + x
	VMOVUPD Y2, (R8)(AX*8)
	VMULPD  (DI)(AX*8), Y0, Y1 // x*y
	VADDPD  (R9)(AX*8), Y1, Y1 // sxy + x*y
	VMOVUPD Y1, (R9)(AX*8)
	ADDQ    $4, AX
	JMP     loop4

tail:
	CMPQ AX, CX
	JGE  done
	VMOVSD (SI)(AX*8), X0
	VADDSD (R8)(AX*8), X0, X2
	VMOVSD X2, (R8)(AX*8)
	VMULSD (DI)(AX*8), X0, X1
	VADDSD (R9)(AX*8), X1, X1
	VMOVSD X1, (R9)(AX*8)
	INCQ   AX
	JMP    tail

done:
	VZEROUPPER
	RET

// func SubProjScale32(n int, x, y *float32, mx, mxy, inv *float64)
TEXT ·SubProjScale32(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ mx+24(FP), R8
	MOVQ mxy+32(FP), R9
	MOVQ inv+40(FP), R10
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VCVTPS2PD  (SI)(AX*4), Y0
	VCVTPS2PD  (DI)(AX*4), Y1
	VSUBPD     (R8)(AX*8), Y0, Y0  // x - mx
	VMULPD     (R9)(AX*8), Y1, Y1  // y*mxy
	VSUBPD     Y1, Y0, Y0          // (x - mx) - y*mxy
	VMULPD     (R10)(AX*8), Y0, Y0 // ((x - mx) - y*mxy) * inv
	VCVTPD2PSY Y0, X0
	VMOVUPS    X0, (SI)(AX*4)
	ADDQ       $4, AX
	JMP        loop4

tail:
	CMPQ AX, CX
	JGE  done
	VCVTSS2SD (SI)(AX*4), X0, X0
	VCVTSS2SD (DI)(AX*4), X1, X1
	VSUBSD    (R8)(AX*8), X0, X0
	VMULSD    (R9)(AX*8), X1, X1
	VSUBSD    X1, X0, X0
	VMULSD    (R10)(AX*8), X0, X0
	VCVTSD2SS X0, X0, X0
	VMOVSS    X0, (SI)(AX*4)
	INCQ      AX
	JMP       tail

done:
	VZEROUPPER
	RET

// func SubProjScale64(n int, x, y, mx, mxy, inv *float64)
TEXT ·SubProjScale64(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ mx+24(FP), R8
	MOVQ mxy+32(FP), R9
	MOVQ inv+40(FP), R10
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-4, BX

loop4:
	CMPQ AX, BX
	JGE  tail
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD (DI)(AX*8), Y1
	VSUBPD  (R8)(AX*8), Y0, Y0  // x - mx
	VMULPD  (R9)(AX*8), Y1, Y1  // y*mxy
	VSUBPD  Y1, Y0, Y0          // (x - mx) - y*mxy
	VMULPD  (R10)(AX*8), Y0, Y0 // ((x - mx) - y*mxy) * inv
	VMOVUPD Y0, (SI)(AX*8)
	ADDQ    $4, AX
	JMP     loop4

tail:
	CMPQ AX, CX
	JGE  done
	VMOVSD (SI)(AX*8), X0
	VMOVSD (DI)(AX*8), X1
	VSUBSD (R8)(AX*8), X0, X0
	VMULSD (R9)(AX*8), X1, X1
	VSUBSD X1, X0, X0
	VMULSD (R10)(AX*8), X0, X0
	VMOVSD X0, (SI)(AX*8)
	INCQ   AX
	JMP    tail

done:
	VZEROUPPER
	RET
