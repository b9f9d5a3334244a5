;; f32 matrix multiply for the CPU backend: out[m×n] = op(A)·op(B), op(A) m×k, op(B) k×n, with
;; A stored k×m when transposed and B stored n×k when transposed (backend.ts, the matmul KernelOp).
;; Every pointer is a byte offset into the imported memory, where the backend keeps all its buffers.
;; Assembled by scripts/build-wasm.mjs into matmul-wasm-bytes.ts (SIMD128 only: relaxed-simd's fused
;; multiply-add needs a flag in Node 20's V8).
;;
;; The method is GotoBLAS's: for each block of NC columns and KC rows of op(B), pack that block into
;; panels of 8 columns (each panel KC×8 contiguous floats, zero padded), then for each group of 4 rows
;; of op(A) pack the 4×KC sliver as [p][4] (zero padded), and run the 4×8 micro-kernel over every panel.
;; The micro-kernel keeps the 4×8 block of out in 8 v128 accumulators and, per step along k, loads one
;; panel row (2 v128), broadcasts the 4 A values straight from memory (v128.load32_splat, vbroadcastss
;; on x64) and does 8 f32x4.mul + 8 f32x4.add. Packing makes every read of the inner loop contiguous
;; and lets one kernel handle both transposes and every edge (padded rows and columns compute zeros;
;; edge tiles go through a 4×8 scratch tile and only their valid part is copied).
;;
;; Why 4×8 and no unrolling: V8 (TurboFan) reserves xmm15 and schedules every load of a loop body
;; before its arithmetic. 4×8 needs 8 accumulators + 2 B vectors + 4 broadcasts + 1 product = 15
;; registers, exactly what is left; 6×8, 5×8 or an unrolled k loop spill to the stack on every step
;; and ran 25–50% slower on an AMD EPYC (measured). KC×NC = 256×256 keeps the packed B block (256 KiB)
;; in L2 and one panel plus the A sliver (12 KiB) in L1.
;;
;; Scratch (the last parameter, `scratch_bytes()` bytes, 16-byte aligned): the 4×8 edge tile, then the
;; packed A sliver (KC×4 floats), then the packed B block (KC×NC floats).
(module
  (import "env" "memory" (memory 1))

  ;; The 4×8 block at $c (row stride $ldc bytes) = (or +=, when $acc) Σ_p apack[p][0..4] ⊗ bpanel[p][0..8].
  (func $micro_kernel (param $ap i32) (param $bp i32) (param $c i32) (param $ldc i32) (param $kb i32) (param $acc i32)
    (local $end i32) (local $row i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $t v128)
    (if (local.get $acc) (then
      (local.set $row (local.get $c))
      (local.set $c00 (v128.load (local.get $row))) (local.set $c01 (v128.load offset=16 (local.get $row)))
      (local.set $row (i32.add (local.get $row) (local.get $ldc)))
      (local.set $c10 (v128.load (local.get $row))) (local.set $c11 (v128.load offset=16 (local.get $row)))
      (local.set $row (i32.add (local.get $row) (local.get $ldc)))
      (local.set $c20 (v128.load (local.get $row))) (local.set $c21 (v128.load offset=16 (local.get $row)))
      (local.set $row (i32.add (local.get $row) (local.get $ldc)))
      (local.set $c30 (v128.load (local.get $row))) (local.set $c31 (v128.load offset=16 (local.get $row)))))
    ;; kb ≥ 1 always (the driver never makes an empty k block), so the loop tests at its end.
    (local.set $end (i32.add (local.get $bp) (i32.shl (local.get $kb) (i32.const 5))))
    (loop $steps
      (local.set $b0 (v128.load (local.get $bp)))
      (local.set $b1 (v128.load offset=16 (local.get $bp)))
      (local.set $t (v128.load32_splat (local.get $ap)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $t) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $t) (local.get $b1))))
      (local.set $t (v128.load32_splat offset=4 (local.get $ap)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $t) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $t) (local.get $b1))))
      (local.set $t (v128.load32_splat offset=8 (local.get $ap)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $t) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $t) (local.get $b1))))
      (local.set $t (v128.load32_splat offset=12 (local.get $ap)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $t) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $t) (local.get $b1))))
      (local.set $ap (i32.add (local.get $ap) (i32.const 16)))
      (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
      (br_if $steps (i32.lt_u (local.get $bp) (local.get $end))))
    (local.set $row (local.get $c))
    (v128.store (local.get $row) (local.get $c00)) (v128.store offset=16 (local.get $row) (local.get $c01))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (local.get $c10)) (v128.store offset=16 (local.get $row) (local.get $c11))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (local.get $c20)) (v128.store offset=16 (local.get $row) (local.get $c21))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (local.get $c30)) (v128.store offset=16 (local.get $row) (local.get $c31)))

  ;; Packs op(B)[pc..pc+kb, jc..jc+nb] into panels of 8 columns at $dst: panel j is kb rows of 8 floats,
  ;; the columns past nb are zeros.
  (func $pack_b (param $b i32) (param $k i32) (param $n i32) (param $tb i32) (param $pc i32) (param $kb i32) (param $jc i32) (param $nb i32) (param $dst i32)
    (local $p i32) (local $j i32) (local $c i32) (local $src i32) (local $d i32) (local $cols i32) (local $col i32) (local $panel_bytes i32)
    (local.set $panel_bytes (i32.shl (local.get $kb) (i32.const 5)))
    (if (i32.eqz (local.get $tb))
      (then
        ;; B stored k×n: a panel row is 8 contiguous floats of a row of B, copied as 2 v128.
        (local.set $p (i32.const 0))
        (loop $rows
          (local.set $src (i32.add (local.get $b)
            (i32.shl (i32.add (i32.mul (i32.add (local.get $pc) (local.get $p)) (local.get $n)) (local.get $jc)) (i32.const 2))))
          (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5))))
          (local.set $j (i32.const 8))
          (block $full_done
            (loop $full
              (br_if $full_done (i32.gt_u (local.get $j) (local.get $nb)))
              (v128.store (local.get $d) (v128.load (local.get $src)))
              (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $src)))
              (local.set $src (i32.add (local.get $src) (i32.const 32)))
              (local.set $d (i32.add (local.get $d) (local.get $panel_bytes)))
              (local.set $j (i32.add (local.get $j) (i32.const 8)))
              (br $full)))
          ;; A last, partial panel: zeros, then the remaining columns one by one.
          (local.set $cols (i32.sub (local.get $nb) (i32.sub (local.get $j) (i32.const 8))))
          (if (local.get $cols) (then
            (v128.store (local.get $d) (v128.const i32x4 0 0 0 0))
            (v128.store offset=16 (local.get $d) (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            (loop $tail
              (f32.store (i32.add (local.get $d) (i32.shl (local.get $c) (i32.const 2)))
                (f32.load (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2)))))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br_if $tail (i32.lt_u (local.get $c) (local.get $cols))))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $p) (local.get $kb)))))
      (else
        ;; B stored n×k: column col of op(B) is row col of B, contiguous along p; it goes down one
        ;; lane of its panel. The padding lanes of the last panel are zeroed the same way.
        (local.set $col (i32.const 0))
        (loop $columns
          (local.set $d (i32.add (local.get $dst)
            (i32.add (i32.mul (i32.shr_u (local.get $col) (i32.const 3)) (local.get $panel_bytes))
                     (i32.shl (i32.and (local.get $col) (i32.const 7)) (i32.const 2)))))
          (local.set $p (i32.const 0))
          (if (i32.lt_u (local.get $col) (local.get $nb))
            (then
              (local.set $src (i32.add (local.get $b)
                (i32.shl (i32.add (i32.mul (i32.add (local.get $jc) (local.get $col)) (local.get $k)) (local.get $pc)) (i32.const 2))))
              (loop $along
                (f32.store (local.get $d) (f32.load (local.get $src)))
                (local.set $src (i32.add (local.get $src) (i32.const 4)))
                (local.set $d (i32.add (local.get $d) (i32.const 32)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br_if $along (i32.lt_u (local.get $p) (local.get $kb)))))
            (else
              (loop $zeros
                (f32.store (local.get $d) (f32.const 0))
                (local.set $d (i32.add (local.get $d) (i32.const 32)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br_if $zeros (i32.lt_u (local.get $p) (local.get $kb))))))
          (local.set $col (i32.add (local.get $col) (i32.const 1)))
          ;; Up to nb rounded up to a multiple of 8.
          (br_if $columns (i32.or (i32.lt_u (local.get $col) (local.get $nb)) (i32.and (local.get $col) (i32.const 7))))))))

  ;; Packs op(A)[ic..ic+rows, pc..pc+kb] as [p][4] at $dst (rows past `rows` are zeros). Element (r, p)
  ;; of op(A) is A[(ic + r)·rs + (pc + p)·ps]: rs = k, ps = 1 for A stored m×k; rs = 1, ps = m transposed.
  (func $pack_a (param $a i32) (param $rs i32) (param $ps i32) (param $ic i32) (param $rows i32) (param $pc i32) (param $kb i32) (param $dst i32)
    (local $p i32) (local $r i32) (local $src i32) (local $d i32) (local $step i32) (local $row_bytes i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $src (i32.add (local.get $a)
      (i32.shl (i32.add (i32.mul (local.get $ic) (local.get $rs)) (i32.mul (local.get $pc) (local.get $ps))) (i32.const 2))))
    (local.set $d (local.get $dst))
    (local.set $p (i32.const 0))
    ;; Fast paths for full slivers, which are all but the last: the scalar loop below costs as much as
    ;; the micro-kernel itself on 64×64×64.
    (if (i32.eq (local.get $rows) (i32.const 4)) (then
      (if (i32.eq (local.get $rs) (i32.const 1)) (then
        ;; A transposed: the 4 values of step p are contiguous in A.
        (local.set $step (i32.shl (local.get $ps) (i32.const 2)))
        (loop $copy
          (v128.store (local.get $d) (v128.load (local.get $src)))
          (local.set $src (i32.add (local.get $src) (local.get $step)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $copy (i32.lt_u (local.get $p) (local.get $kb))))
        (return)))
      (if (i32.eq (local.get $ps) (i32.const 1)) (then
        ;; A row-major: 4 steps of 4 rows at a time, a 4×4 transpose in registers.
        (local.set $row_bytes (i32.shl (local.get $rs) (i32.const 2)))
        (block $blocks_done (loop $blocks
          (br_if $blocks_done (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kb)))
          (local.set $v0 (v128.load (local.get $src)))
          (local.set $v1 (v128.load (i32.add (local.get $src) (local.get $row_bytes))))
          (local.set $v2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $row_bytes) (i32.const 1)))))
          (local.set $v3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $row_bytes) (i32.const 3)))))
          ;; t0 = v0[0] v1[0] v0[1] v1[1], t1 = v2[0] v3[0] v2[1] v3[1], t2, t3 the same for lanes 2, 3.
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
          (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
          (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
          (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
          (v128.store offset=16 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
          (v128.store offset=32 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
          (v128.store offset=48 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $d (i32.add (local.get $d) (i32.const 64)))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $blocks)))
        (if (i32.eq (local.get $p) (local.get $kb)) (then (return)))))))
    ;; The general case, and the last k % 4 steps of the row-major fast path: one float at a time,
    ;; from step p on (src and d already point at step p of row 0).
    (local.set $step (i32.shl (local.get $ps) (i32.const 2)))
    (local.set $dst (local.get $d))
    (local.set $a (local.get $src))
    (local.set $kb (i32.sub (local.get $kb) (local.get $p)))
    (local.set $r (i32.const 0))
    (loop $row
      (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))
      (local.set $p (i32.const 0))
      (if (i32.lt_u (local.get $r) (local.get $rows))
        (then
          (local.set $src (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r) (local.get $rs)) (i32.const 2))))
          (loop $along
            (f32.store (local.get $d) (f32.load (local.get $src)))
            (local.set $src (i32.add (local.get $src) (local.get $step)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $along (i32.lt_u (local.get $p) (local.get $kb)))))
        (else
          (loop $zeros
            (f32.store (local.get $d) (f32.const 0))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $zeros (i32.lt_u (local.get $p) (local.get $kb))))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $row (i32.lt_u (local.get $r) (i32.const 4)))))

  ;; The scratch the caller passes to matmul: tile (4×8 floats) + A sliver (KC×4) + B block (KC×NC), KC = NC = 256.
  (func (export "scratch_bytes") (result i32)
    (i32.const 266368))

  ;; out = op(A)·op(B). Needs k ≥ 1 (the caller zero-fills out when k = 0); m or n = 0 does nothing.
  (func (export "matmul")
    (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $k i32) (param $n i32)
    (param $ta i32) (param $tb i32) (param $scratch i32)
    (local $tile i32) (local $apack i32) (local $bpack i32) (local $rs i32) (local $ps i32) (local $ldc i32)
    (local $jc i32) (local $nb i32) (local $pc i32) (local $kb i32) (local $acc i32)
    (local $ic i32) (local $rows i32) (local $jr i32) (local $cols i32) (local $panel i32) (local $target i32)
    (local $r i32) (local $c i32)
    (local.set $tile (local.get $scratch))
    (local.set $apack (i32.add (local.get $scratch) (i32.const 128)))
    (local.set $bpack (i32.add (local.get $apack) (i32.const 4096)))
    (local.set $ldc (i32.shl (local.get $n) (i32.const 2)))
    (if (local.get $ta)
      (then (local.set $rs (i32.const 1)) (local.set $ps (local.get $m)))
      (else (local.set $rs (local.get $k)) (local.set $ps (i32.const 1))))
    (local.set $jc (i32.const 0))
    (block $j_done (loop $j_blocks
      (br_if $j_done (i32.ge_u (local.get $jc) (local.get $n)))
      (local.set $nb (i32.sub (local.get $n) (local.get $jc)))
      (if (i32.gt_u (local.get $nb) (i32.const 256)) (then (local.set $nb (i32.const 256))))
      (local.set $pc (i32.const 0))
      (block $p_done (loop $p_blocks
        (br_if $p_done (i32.ge_u (local.get $pc) (local.get $k)))
        (local.set $kb (i32.sub (local.get $k) (local.get $pc)))
        (if (i32.gt_u (local.get $kb) (i32.const 256)) (then (local.set $kb (i32.const 256))))
        ;; The first k block writes out; the later ones add to it.
        (local.set $acc (i32.ne (local.get $pc) (i32.const 0)))
        (call $pack_b (local.get $b) (local.get $k) (local.get $n) (local.get $tb) (local.get $pc) (local.get $kb)
          (local.get $jc) (local.get $nb) (local.get $bpack))
        (local.set $ic (i32.const 0))
        (block $i_done (loop $i_blocks
          (br_if $i_done (i32.ge_u (local.get $ic) (local.get $m)))
          (local.set $rows (i32.sub (local.get $m) (local.get $ic)))
          (if (i32.gt_u (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
          (call $pack_a (local.get $a) (local.get $rs) (local.get $ps) (local.get $ic) (local.get $rows) (local.get $pc)
            (local.get $kb) (local.get $apack))
          (local.set $jr (i32.const 0))
          (local.set $panel (local.get $bpack))
          (block $r_done (loop $panels
            (br_if $r_done (i32.ge_u (local.get $jr) (local.get $nb)))
            (local.set $cols (i32.sub (local.get $nb) (local.get $jr)))
            (if (i32.gt_u (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
            (local.set $target (i32.add (local.get $out)
              (i32.shl (i32.add (i32.mul (local.get $ic) (local.get $n)) (i32.add (local.get $jc) (local.get $jr))) (i32.const 2))))
            (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $cols) (i32.const 8)))
              (then
                (call $micro_kernel (local.get $apack) (local.get $panel) (local.get $target) (local.get $ldc) (local.get $kb) (local.get $acc)))
              (else
                ;; An edge tile: computed in the 4×8 scratch tile, whose valid part is copied in and out,
                ;; so nothing past the edge of out is read or written.
                (if (local.get $acc) (then
                  (local.set $r (i32.const 0))
                  (loop $copy_in_rows
                    (local.set $c (i32.const 0))
                    (loop $copy_in
                      (f32.store (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $c)) (i32.const 2)))
                        (f32.load (i32.add (local.get $target) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c)) (i32.const 2)))))
                      (local.set $c (i32.add (local.get $c) (i32.const 1)))
                      (br_if $copy_in (i32.lt_u (local.get $c) (local.get $cols))))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))
                    (br_if $copy_in_rows (i32.lt_u (local.get $r) (local.get $rows))))))
                (call $micro_kernel (local.get $apack) (local.get $panel) (local.get $tile) (i32.const 32) (local.get $kb) (local.get $acc))
                (local.set $r (i32.const 0))
                (loop $copy_out_rows
                  (local.set $c (i32.const 0))
                  (loop $copy_out
                    (f32.store (i32.add (local.get $target) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c)) (i32.const 2)))
                      (f32.load (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $c)) (i32.const 2)))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br_if $copy_out (i32.lt_u (local.get $c) (local.get $cols))))
                  (local.set $r (i32.add (local.get $r) (i32.const 1)))
                  (br_if $copy_out_rows (i32.lt_u (local.get $r) (local.get $rows))))))
            (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $kb) (i32.const 5))))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br $panels)))
          (local.set $ic (i32.add (local.get $ic) (i32.const 4)))
          (br $i_blocks)))
        (local.set $pc (i32.add (local.get $pc) (local.get $kb)))
        (br $p_blocks)))
      (local.set $jc (i32.add (local.get $jc) (local.get $nb)))
      (br $j_blocks)))))
