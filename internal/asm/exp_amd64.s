#include "textflag.h"

// The exponential kernels (exp_amd64.go) compute linalg's expCore on four
// float64 lanes per YMM register, each operation of the Go code as one
// rounded VEX instruction in the same order (no FMA), so that the results
// are the Go loop's bit for bit:
//
//	y = x − c;  stop unless −708 <= y <= 709 in all four lanes
//	n = (y·inv + shift) − shift;  r = (y − n·hi) − n·lo
//	k = int(n);  j = k & 63;  m = k >> 6 (arithmetic: (k − j)/64)
//	q = r·(1 + r·(1/2 + r·(1/6 + r·(1/24 + r·(1/120)))))
//	t = tab[j] (VGATHERDPD);  out = 2^m · (t + t·q)   (2^m built as (m+1023) << 52)
//
// The constants are 32-byte vectors in read-only data. Registers: AX is the
// index, BX = n rounded down to a multiple of 4, Y15 holds c, R9 the table.

DATA expLo708<>+0(SB)/8, $0xc086200000000000
DATA expLo708<>+8(SB)/8, $0xc086200000000000
DATA expLo708<>+16(SB)/8, $0xc086200000000000
DATA expLo708<>+24(SB)/8, $0xc086200000000000
GLOBL expLo708<>(SB), RODATA|NOPTR, $32

DATA expHi709<>+0(SB)/8, $0x4086280000000000
DATA expHi709<>+8(SB)/8, $0x4086280000000000
DATA expHi709<>+16(SB)/8, $0x4086280000000000
DATA expHi709<>+24(SB)/8, $0x4086280000000000
GLOBL expHi709<>(SB), RODATA|NOPTR, $32

DATA expInv<>+0(SB)/8, $0x40571547652b82fe
DATA expInv<>+8(SB)/8, $0x40571547652b82fe
DATA expInv<>+16(SB)/8, $0x40571547652b82fe
DATA expInv<>+24(SB)/8, $0x40571547652b82fe
GLOBL expInv<>(SB), RODATA|NOPTR, $32

DATA expShift<>+0(SB)/8, $0x4338000000000000
DATA expShift<>+8(SB)/8, $0x4338000000000000
DATA expShift<>+16(SB)/8, $0x4338000000000000
DATA expShift<>+24(SB)/8, $0x4338000000000000
GLOBL expShift<>(SB), RODATA|NOPTR, $32

DATA expHi<>+0(SB)/8, $0x3f862e4200000000
DATA expHi<>+8(SB)/8, $0x3f862e4200000000
DATA expHi<>+16(SB)/8, $0x3f862e4200000000
DATA expHi<>+24(SB)/8, $0x3f862e4200000000
GLOBL expHi<>(SB), RODATA|NOPTR, $32

DATA expLo<>+0(SB)/8, $0x3e3fdf473de6af28
DATA expLo<>+8(SB)/8, $0x3e3fdf473de6af28
DATA expLo<>+16(SB)/8, $0x3e3fdf473de6af28
DATA expLo<>+24(SB)/8, $0x3e3fdf473de6af28
GLOBL expLo<>(SB), RODATA|NOPTR, $32

DATA expC5<>+0(SB)/8, $0x3f81111111111111
DATA expC5<>+8(SB)/8, $0x3f81111111111111
DATA expC5<>+16(SB)/8, $0x3f81111111111111
DATA expC5<>+24(SB)/8, $0x3f81111111111111
GLOBL expC5<>(SB), RODATA|NOPTR, $32

DATA expC4<>+0(SB)/8, $0x3fa5555555555555
DATA expC4<>+8(SB)/8, $0x3fa5555555555555
DATA expC4<>+16(SB)/8, $0x3fa5555555555555
DATA expC4<>+24(SB)/8, $0x3fa5555555555555
GLOBL expC4<>(SB), RODATA|NOPTR, $32

DATA expC3<>+0(SB)/8, $0x3fc5555555555555
DATA expC3<>+8(SB)/8, $0x3fc5555555555555
DATA expC3<>+16(SB)/8, $0x3fc5555555555555
DATA expC3<>+24(SB)/8, $0x3fc5555555555555
GLOBL expC3<>(SB), RODATA|NOPTR, $32

DATA expC2<>+0(SB)/8, $0x3fe0000000000000
DATA expC2<>+8(SB)/8, $0x3fe0000000000000
DATA expC2<>+16(SB)/8, $0x3fe0000000000000
DATA expC2<>+24(SB)/8, $0x3fe0000000000000
GLOBL expC2<>(SB), RODATA|NOPTR, $32

DATA expOne<>+0(SB)/8, $0x3ff0000000000000
DATA expOne<>+8(SB)/8, $0x3ff0000000000000
DATA expOne<>+16(SB)/8, $0x3ff0000000000000
DATA expOne<>+24(SB)/8, $0x3ff0000000000000
GLOBL expOne<>(SB), RODATA|NOPTR, $32

DATA expBias<>+0(SB)/8, $0x00000000000003ff
DATA expBias<>+8(SB)/8, $0x00000000000003ff
DATA expBias<>+16(SB)/8, $0x00000000000003ff
DATA expBias<>+24(SB)/8, $0x00000000000003ff
GLOBL expBias<>(SB), RODATA|NOPTR, $32

DATA expMask63<>+0(SB)/8, $0x0000003f0000003f
DATA expMask63<>+8(SB)/8, $0x0000003f0000003f
GLOBL expMask63<>(SB), RODATA|NOPTR, $16

// EXPCORE turns y in Y0 (all lanes in range) into the exponential in Y0.
#define EXPCORE \
	VMULPD     expInv<>(SB), Y0, Y3 \
	VADDPD     expShift<>(SB), Y3, Y3 \
	VSUBPD     expShift<>(SB), Y3, Y3 \
	VMULPD     expHi<>(SB), Y3, Y4 \
	VSUBPD     Y4, Y0, Y4 \
	VMULPD     expLo<>(SB), Y3, Y5 \
	VSUBPD     Y5, Y4, Y4 \
	VCVTPD2DQY Y3, X6 \
	VPAND      expMask63<>(SB), X6, X7 \
	VPSRAD     $6, X6, X8 \
	VPMOVSXDQ  X8, Y8 \
	VPADDQ     expBias<>(SB), Y8, Y8 \
	VPSLLQ     $52, Y8, Y8 \
	VMULPD     expC5<>(SB), Y4, Y9 \
	VADDPD     expC4<>(SB), Y9, Y9 \
	VMULPD     Y9, Y4, Y9 \
	VADDPD     expC3<>(SB), Y9, Y9 \
	VMULPD     Y9, Y4, Y9 \
	VADDPD     expC2<>(SB), Y9, Y9 \
	VMULPD     Y9, Y4, Y9 \
	VADDPD     expOne<>(SB), Y9, Y9 \
	VMULPD     Y9, Y4, Y9 \
	VPCMPEQD   Y10, Y10, Y10 \
	VGATHERDPD Y10, (R9)(X7*8), Y11 \
	VMULPD     Y9, Y11, Y12 \
	VADDPD     Y12, Y11, Y12 \
	VMULPD     Y12, Y8, Y0

// INRANGE jumps to stop unless every lane of Y0 is in [−708, 709] (NaN is not).
#define INRANGE(stop) \
	VCMPPD    $13, expLo708<>(SB), Y0, Y1 \
	VCMPPD    $2, expHi709<>(SB), Y0, Y2 \
	VANDPD    Y2, Y1, Y1 \
	VMOVMSKPD Y1, DX \
	CMPQ      DX, $15 \
	JNE       stop

// func ExpShift64(n int, x *float64, c float64, tab *[64]float64) int
TEXT ·ExpShift64(SB), NOSPLIT, $0-40
	MOVQ         n+0(FP), BX
	MOVQ         x+8(FP), SI
	VBROADCASTSD c+16(FP), Y15
	MOVQ         tab+24(FP), R9
	ANDQ         $-4, BX
	XORQ         AX, AX

loop64:
	CMPQ    AX, BX
	JGE     done64
	VMOVUPD (SI)(AX*8), Y0
	VSUBPD  Y15, Y0, Y0
	INRANGE(done64)
	EXPCORE
	VMOVUPD Y0, (SI)(AX*8)
	ADDQ    $4, AX
	JMP     loop64

done64:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func ExpShift32(n int, x *float32, c float64, tab *[64]float64) int
TEXT ·ExpShift32(SB), NOSPLIT, $0-40
	MOVQ         n+0(FP), BX
	MOVQ         x+8(FP), SI
	VBROADCASTSD c+16(FP), Y15
	MOVQ         tab+24(FP), R9
	ANDQ         $-4, BX
	XORQ         AX, AX

loop32:
	CMPQ       AX, BX
	JGE        done32
	VCVTPS2PD  (SI)(AX*4), Y0
	VSUBPD     Y15, Y0, Y0
	INRANGE(done32)
	EXPCORE
	VCVTPD2PSY Y0, X0
	VMOVUPS    X0, (SI)(AX*4)
	ADDQ       $4, AX
	JMP        loop32

done32:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET
