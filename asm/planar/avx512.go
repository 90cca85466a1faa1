package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"

	"github.com/mmcnf/mmcnf/asm/internal/args"
	vm "github.com/mmcnf/mmcnf/asm/internal/vmath"
)

// The AVX-512 planar kernels hold eight points in the lanes of a zmm
// register, in their natural order (vmath.Points2), and cover every point,
// the last one to seven under opmasks.

// forward512 emits planarForward2AVX512: PlanarForward for d = 2 on every
// point, in groups of sixteen points (two zmm per quantity, interleaving
// their tanh chains), then eight, then the last one to seven under masks.
// The loop over the width runs inside, with the sums over it in registers.
func forward512() {
	TEXT("planarForward2AVX512", NOSPLIT, "func(z, Wt, U, B, f, trace []float64, inv float64)")
	Doc("planarForward2AVX512 is PlanarForward for d = 2 on len(trace) points.")
	z, wt, u, bb := args.Base("z"), args.Base("Wt"), args.Base("U"), args.Base("B")
	f, tr, n, end := args.Base("f"), args.Base("trace"), args.Len("trace"), args.Len("B")
	SHLQ(Imm(1), end) // the width loop steps by 2 through Wt and U
	pm := vm.NewPoints2(true)

	// block emits the pass over g blocks of eight points (the first r of
	// one block under masks).
	block := func(g int, masks *vm.PointMasks) {
		za, zb := vm.NewGroup(g), vm.NewGroup(g)
		for j := range za {
			za[j], zb[j] = pm.Load(Mem{Base: z, Disp: 128 * j}, masks)
		}
		fa, fb, acc := vm.ZeroZ(g), vm.ZeroZ(g), vm.ZeroZ(g)
		overWidth(vm.NewLabel("fwidth"), end, func(i reg.Register) {
			wA := Mem{Base: wt, Index: i, Scale: 8}
			uA := Mem{Base: u, Index: i, Scale: 8}
			a := vm.NewGroup(g)
			a.Each(func(j int) { VBROADCASTSD(Mem{Base: bb, Index: i, Scale: 4}, a[j]) })
			a.Each(func(j int) { VFMADD231PD_BCST(wA, za[j], a[j]) })
			a.Each(func(j int) { VFMADD231PD_BCST(wA.Offset(8), zb[j], a[j]) })
			h, hp := vm.TanhBoth512(a)
			fa.Each(func(j int) { VFMADD231PD_BCST(uA, h[j], fa[j]) })
			fb.Each(func(j int) { VFMADD231PD_BCST(uA.Offset(8), h[j], fb[j]) })
			uw := uDotW512(uA, wA)
			acc.Each(func(j int) { VFMADD231PD(uw, hp[j], acc[j]) })
		})

		inv := ZMM()
		VBROADCASTSD(args.Addr(Param("inv")), inv)
		for _, s := range []vm.Group{fa, fb, acc} {
			s.Each(func(j int) { VMULPD(inv, s[j], s[j]) })
		}
		for j := range fa {
			pm.Store(fa[j], fb[j], Mem{Base: f, Disp: 128 * j}, masks)
			vm.StoreValues(acc[j], Mem{Base: tr, Disp: 64 * j}, masks)
		}
	}

	vm.PointBlocks("f", n, true, block, func(p int) {
		ADDQ(vm.Bytes(16*p), z)
		ADDQ(vm.Bytes(16*p), f)
		ADDQ(vm.Bytes(8*p), tr)
	})
	VZEROUPPER()
	RET()
}

// uDotW512 returns U_i . Wt_i in every lane, U_i at uA and Wt_i at wA.
func uDotW512(uA, wA Mem) reg.VecVirtual {
	uw, t := ZMM(), ZMM()
	VBROADCASTSD(uA, uw)
	VMULPD_BCST(wA, uw, uw)
	VBROADCASTSD(uA.Offset(8), t)
	VFMADD231PD_BCST(wA.Offset(8), t, uw)
	return uw
}

// reverse512 emits planarReverse2AVX512: PlanarReverse for d = 2 on every
// point, with gz zeroed by the caller. As in the AVX2 kernel the width is
// the outer loop and the points the inner one, so that the six sums over
// the points behind the parameter gradients of one width index stay in
// registers; gz is accumulated in memory. The coordinate pairs of gz are
// updated without separating them: ga_i (W_i0, W_i1) for eight points is
// the vector of ga duplicated pairwise times (W_i0, W_i1) repeated.
func reverse512() {
	TEXT("planarReverse2AVX512", NOSPLIT, "func(z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64, inv float64)")
	Doc("planarReverse2AVX512 is PlanarReverse for d = 2 on len(gtrace) points, with gz zeroed by the caller.")
	wt, u, bb, end := widthArgs()
	nb := args.Len("gtrace")
	TESTQ(nb, nb)
	JZ(LabelRef("rdone"))
	pm := vm.NewPoints2(false)
	inv := ZMM()
	VBROADCASTSD(args.Addr(Param("inv")), inv)
	dupLo, dupHi := ZMM(), ZMM()
	VMOVUPD(vm.IndexTable("pduplo", []uint64{0, 0, 1, 1, 2, 2, 3, 3}), dupLo)
	VMOVUPD(vm.IndexTable("pduphi", []uint64{4, 4, 5, 5, 6, 6, 7, 7}), dupHi)
	overWidth("rwidth", end, func(i reg.Register) {
		wA := Mem{Base: wt, Index: i, Scale: 8}
		uA := Mem{Base: u, Index: i, Scale: 8}
		// sums over the points: ga z_0, ga z_1, h gf_0, h gf_1, h' gtrace/w, ga
		sums := vm.ZeroZ(6)
		uw2 := uDotW512(uA, wA)
		VADDPD(uw2, uw2, uw2) // 2 U_i . Wt_i
		wpair := ZMM()
		VBROADCASTF64X2(wA, wpair) // W_i0, W_i1, W_i0, ...
		zp, gfp, gtp, gzp := args.Base("z"), args.Base("gf"), args.Base("gtrace"), args.Base("gz")
		n := args.Len("gtrace")

		// block emits the contributions of eight points (the first r under
		// masks; the others load as zero and contribute nothing).
		block := func(_ int, masks *vm.PointMasks) {
			za, zb := pm.Load(Mem{Base: zp}, masks)
			a := ZMM()
			VBROADCASTSD(Mem{Base: bb, Index: i, Scale: 4}, a)
			VFMADD231PD_BCST(wA, za, a)
			VFMADD231PD_BCST(wA.Offset(8), zb, a)
			hs, hps := vm.TanhBoth512(vm.Group{a})
			h, hp := hs[0], hps[0]
			gfa, gfb := pm.Load(Mem{Base: gfp}, masks)
			VFMADD231PD(gfa, h, sums[2])
			VFMADD231PD(gfb, h, sums[3])
			g := ZMM() // U_i . gf
			VMULPD_BCST(uA, gfa, g)
			VFMADD231PD_BCST(uA.Offset(8), gfb, g)
			gt := ZMM()
			if masks != nil {
				VMOVUPD_Z(Mem{Base: gtp}, masks.One, gt)
				VMULPD(inv, gt, gt)
			} else {
				VMULPD(Mem{Base: gtp}, inv, gt)
			}
			VMULPD(hp, gt, gt) // h' gtrace/w
			VADDPD(gt, sums[4], sums[4])
			VMULPD(h, gt, gt)
			VMULPD(uw2, gt, gt) // 2 h h' (U.W) gtrace/w = -dtrace/da gtrace
			VMULPD(inv, g, g)
			VFMSUB213PD(gt, hp, g) // dL/da_i = h' (U.gf)/w - 2 h h' (U.W) gtrace/w
			VADDPD(g, sums[5], sums[5])
			VFMADD231PD(g, za, sums[0])
			VFMADD231PD(g, zb, sums[1])
			for k, dup := range []reg.VecVirtual{dupLo, dupHi} {
				d := ZMM()
				VPERMPD(g, dup, d)
				m := Mem{Base: gzp, Disp: 64 * k}
				if masks != nil {
					old := ZMM()
					mk := masks.Lo
					if k == 1 {
						mk = masks.Hi
					}
					VMOVUPD_Z(m, mk, old)
					VFMADD213PD(old, wpair, d)
					VMOVUPD(d, mk, m)
				} else {
					VFMADD213PD(m, wpair, d)
					VMOVUPD(d, m)
				}
			}
		}

		vm.PointBlocks("r", n, false, block, func(p int) {
			ADDQ(vm.Bytes(16*p), zp)
			ADDQ(vm.Bytes(16*p), gfp)
			ADDQ(vm.Bytes(16*p), gzp)
			ADDQ(vm.Bytes(8*p), gtp)
		})
		addParamGradients(i, uA, wA, inv.AsX(), [6]reg.VecVirtual(sums))
	})

	Label("rdone")
	VZEROUPPER()
	RET()
}
