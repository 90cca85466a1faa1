package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/mmcnf/mmcnf/asm/internal/args"
	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

// loadPoints loads the 2-D points s..s+3 (eight consecutive float64 at p)
// and returns their first and second coordinates, lanes in the order
// s, s+2, s+1, s+3 (the order VUNPCKLPD/VUNPCKHPD produce; storePoints
// undoes it).
func loadPoints(p Mem) (a, b reg.VecVirtual) {
	lo, hi := YMM(), YMM()
	VMOVUPD(p, lo)
	VMOVUPD(p.Offset(32), hi)
	a, b = YMM(), YMM()
	VUNPCKLPD(hi, lo, a)
	VUNPCKHPD(hi, lo, b)
	return a, b
}

// interleave is the inverse of loadPoints' shuffle: it returns the eight
// float64 of points s..s+3 as two registers in memory order.
func interleave(a, b reg.VecVirtual) (lo, hi reg.VecVirtual) {
	lo, hi = YMM(), YMM()
	VUNPCKLPD(b, a, lo)
	VUNPCKHPD(b, a, hi)
	return lo, hi
}

// bcast returns a register holding the float64 at m in every lane.
func bcast(m Mem) reg.VecVirtual {
	r := YMM()
	VBROADCASTSD(m, r)
	return r
}

// forward emits planarForward2AVX2: for the first len(trace) &^ 3 points,
// with h_i = tanh(Wt_i . z + B_i), f = inv sum_i U_i h_i and
// trace = inv sum_i (1 - h_i^2)(U_i . Wt_i), w = len(B).
func forward() {
	TEXT("planarForward2AVX2", NOSPLIT, "func(z, Wt, U, B, f, trace []float64, inv float64)")
	Doc("planarForward2AVX2 is PlanarForward for d = 2 on the first len(trace) &^ 3 points.")
	z, wt, u, bb := args.Base("z"), args.Base("Wt"), args.Base("U"), args.Base("B")
	w, f, tr, nb := args.Len("B"), args.Base("f"), args.Base("trace"), args.Len("trace")
	end := GP64()
	MOVQ(w, end)
	SHLQ(Imm(1), end)
	SHRQ(Imm(2), nb)
	JZ(LabelRef("fdone"))

	Label("fblock")
	za, zb := loadPoints(Mem{Base: z})
	fa, fb, acc := vm.Zero(), vm.Zero(), vm.Zero()
	overWidth("fwidth", end, func(i reg.Register) {
		wa := bcast(Mem{Base: wt, Index: i, Scale: 8})
		wb := bcast(Mem{Base: wt, Index: i, Scale: 8, Disp: 8})
		a := bcast(Mem{Base: bb, Index: i, Scale: 4})
		VFMADD231PD(za, wa, a)
		VFMADD231PD(zb, wb, a)
		h, hp := vm.TanhPrime(a)
		ua := bcast(Mem{Base: u, Index: i, Scale: 8})
		ub := bcast(Mem{Base: u, Index: i, Scale: 8, Disp: 8})
		VFMADD231PD(h, ua, fa)
		VFMADD231PD(h, ub, fb)
		VMULPD(ua, wa, wa)
		VFMADD231PD(ub, wb, wa) // U_i . Wt_i
		VFMADD231PD(hp, wa, acc)
	})

	inv := bcastParam("inv")
	VMULPD(inv, fa, fa)
	VMULPD(inv, fb, fb)
	VMULPD(inv, acc, acc)
	lo, hi := interleave(fa, fb)
	VMOVUPD(lo, Mem{Base: f})
	VMOVUPD(hi, Mem{Base: f, Disp: 32})
	VPERMPD(U8(0xd8), acc, acc) // lanes s, s+2, s+1, s+3 back to s..s+3
	VMOVUPD(acc, Mem{Base: tr})
	ADDQ(Imm(64), z)
	ADDQ(Imm(64), f)
	ADDQ(Imm(32), tr)
	DECQ(nb)
	JNZ(LabelRef("fblock"))

	Label("fdone")
	VZEROUPPER()
	RET()
}

// widthArgs loads the bases of Wt, U and B, and twice the width len(B),
// where the loop over the width ends (overWidth).
func widthArgs() (wt, u, b, end reg.Register) {
	wt, u, b, end = args.Base("Wt"), args.Base("U"), args.Base("B"), args.Len("B")
	SHLQ(Imm(1), end)
	return wt, u, b, end
}

// overWidth emits the loop over the width around body(i), for a register
// i holding twice the width index, from 0 to end: the offset of Wt_i and
// U_i in float64 (their rows have d = 2 elements), and of B_i in 4 bytes.
func overWidth(label string, end reg.Register, body func(i reg.Register)) {
	i := GP64()
	XORQ(i, i)
	Label(label)
	body(i)
	ADDQ(Imm(2), i)
	CMPQ(i, end)
	JB(LabelRef(label))
}

// bcastParam returns a register holding the float64 argument name in
// every lane.
func bcastParam(name string) reg.VecVirtual {
	r := YMM()
	VBROADCASTSD(args.Addr(Param(name)), r)
	return r
}

// addParamGradients reduces the sums over the points of width index i and
// accumulates the parameter gradients of i (at gWt, gU and gB), with uA
// and wA the memory of U_i and Wt_i and inv an XMM register holding 1/w.
// The sums are of ga z_0, ga z_1, h gf_0, h gf_1, h' gtrace/w and ga (ga
// the gradient with respect to the pre-activation), in ymm or zmm registers.
func addParamGradients(i reg.Register, uA, wA Mem, inv reg.Register, sums [6]reg.VecVirtual) {
	Comment("Reduce over the points and accumulate the parameter gradients of index i.")
	sum := func(v reg.VecVirtual) reg.VecVirtual { return vm.Reduce(VADDPD, v) }
	s := sum(sums[4])
	gwt, gu, gb := args.Base("gWt"), args.Base("gU"), args.Base("gB")
	for k := 0; k < 2; k++ {
		t := sum(sums[k])
		VFMADD231SD(uA.Offset(8*k), s, t) // + U_ik sum h' gtrace/w
		VADDSD(Mem{Base: gwt, Index: i, Scale: 8, Disp: 8 * k}, t, t)
		VMOVSD(t, Mem{Base: gwt, Index: i, Scale: 8, Disp: 8 * k})
	}
	for k := 0; k < 2; k++ {
		t := sum(sums[2+k])
		VMULSD(inv, t, t)
		VFMADD231SD(wA.Offset(8*k), s, t) // + Wt_ik sum h' gtrace/w
		VADDSD(Mem{Base: gu, Index: i, Scale: 8, Disp: 8 * k}, t, t)
		VMOVSD(t, Mem{Base: gu, Index: i, Scale: 8, Disp: 8 * k})
	}
	t := sum(sums[5])
	VADDSD(Mem{Base: gb, Index: i, Scale: 4}, t, t)
	VMOVSD(t, Mem{Base: gb, Index: i, Scale: 4})
}

// reverse emits planarReverse2AVX2: the gradients of PlanarForward (d = 2)
// for the first len(gtrace) &^ 3 points. gz must be zero on entry (it is
// accumulated over the width); gWt, gU and gB are accumulated into. The loop
// runs over the width outside and the points inside, so that the parameter
// gradients of one width index are sums held in registers.
func reverse() {
	TEXT("planarReverse2AVX2", NOSPLIT, "func(z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64, inv float64)")
	Doc("planarReverse2AVX2 is PlanarReverse for d = 2 on the first len(gtrace) &^ 3 points, with gz zeroed by the caller.")
	wt, u, bb, end := widthArgs()
	nb := args.Len("gtrace")
	SHRQ(Imm(2), nb)
	JZ(LabelRef("rdone"))
	overWidth("rwidth", end, func(i reg.Register) {
		wA := Mem{Base: wt, Index: i, Scale: 8}
		wB := wA.Offset(8)
		uA := Mem{Base: u, Index: i, Scale: 8}
		uB := uA.Offset(8)
		gwa, gwb, hfa, hfb, sum, gsum := vm.Zero(), vm.Zero(), vm.Zero(), vm.Zero(), vm.Zero(), vm.Zero()
		zp, gfp, gtp, gzp := args.Base("z"), args.Base("gf"), args.Base("gtrace"), args.Base("gz")
		cnt := args.Len("gtrace")
		SHRQ(Imm(2), cnt)

		Label("rblock")
		za, zb := loadPoints(Mem{Base: zp})
		a := bcast(Mem{Base: bb, Index: i, Scale: 4})
		VFMADD231PD(za, bcast(wA), a)
		VFMADD231PD(zb, bcast(wB), a)
		h, hp := vm.TanhPrime(a)
		gfa, gfb := loadPoints(Mem{Base: gfp})
		VFMADD231PD(h, gfa, hfa)
		VFMADD231PD(h, gfb, hfb)
		g := YMM() // U_i . gf
		VMULPD(bcast(uA), gfa, g)
		VFMADD231PD(bcast(uB), gfb, g)
		inv := bcastParam("inv")
		gt := YMM()
		VPERMPD(U8(0xd8), Mem{Base: gtp}, gt) // lanes in loadPoints' order
		VMULPD(inv, gt, gt)
		VMULPD(hp, gt, gt) // h' gtrace/w
		VADDPD(gt, sum, sum)
		uw := bcast(uA)
		VMULPD(bcast(wA), uw, uw)
		VFMADD231PD(bcast(uB), bcast(wB), uw) // U_i . Wt_i
		VMULPD(h, gt, gt)
		VMULPD(uw, gt, gt)
		VADDPD(gt, gt, gt) // -h'' (U.W) gtrace/w = 2 h h' (U.W) gtrace/w
		ga := YMM()
		VMULPD(inv, g, ga)
		VMULPD(hp, ga, ga)
		VSUBPD(gt, ga, ga) // dL/da_i
		VADDPD(ga, gsum, gsum)
		VFMADD231PD(ga, za, gwa)
		VFMADD231PD(ga, zb, gwb)
		gza, gzb := YMM(), YMM()
		VMULPD(bcast(wA), ga, gza)
		VMULPD(bcast(wB), ga, gzb)
		lo, hi := interleave(gza, gzb)
		VADDPD(Mem{Base: gzp}, lo, lo)
		VADDPD(Mem{Base: gzp, Disp: 32}, hi, hi)
		VMOVUPD(lo, Mem{Base: gzp})
		VMOVUPD(hi, Mem{Base: gzp, Disp: 32})
		ADDQ(Imm(64), zp)
		ADDQ(Imm(64), gfp)
		ADDQ(Imm(64), gzp)
		ADDQ(Imm(32), gtp)
		DECQ(cnt)
		JNZ(LabelRef("rblock"))

		invx := XMM()
		VMOVSD(args.Addr(Param("inv")), invx)
		addParamGradients(i, uA, wA, invx, [6]reg.VecVirtual{gwa, gwb, hfa, hfb, sum, gsum})
	})

	Label("rdone")
	VZEROUPPER()
	RET()
}
