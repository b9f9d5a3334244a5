;; Softmax / log-softmax over segments and their gradients for the CPU backend (backend.ts, the
;; segmentSoftmax and segmentSoftmaxGrad KernelOps). Every pointer is a byte offset into the imported
;; memory, the one matmul.wat uses too, where the backend keeps all its buffers. Assembled by
;; scripts/build-wasm.mjs into softmax-wasm-bytes.ts (SIMD128 only, like matmul.wat).
;;
;; Segment shape. A segment of `len` elements is len >> 2 full vectors from its start, then, when
;; len % 4 ≠ 0, one tail vector: for len ≥ 4 the 4 elements ending at its end (overlapping the last full
;; vector), for len < 4 the len elements gathered lane by lane. A mask marks the tail lanes that no full
;; vector covers; reductions use only those, so no element is counted twice. The tail is loaded once,
;; before anything is written, and stored last: an output may be its input (the kernels are run in
;; place), and the overlapping lanes then get the value the full vector already wrote there. Lane-wise
;; loads and stores for len < 4 keep every access inside the segment (a v128 access past a buffer that
;; ends the memory would trap). The loops count vectors instead of comparing end pointers, because a
;; buffer may end exactly at 4 GiB, where an end pointer wraps to 0.
;;
;; exp. e^t = 2^n · e^r with n = round(t / ln 2) and r = t − n·ln 2 in [−ln2/2, ln2/2] (ln 2 split into
;; C1 + C2 in Cody and Waite's way, so that n·C1 is exact), e^r by Cephes expf's polynomial
;; 1 + r + r²·P(r) (P of degree 5; about 1 ulp), and 2^n assembled in the exponent bits. n is rounded
;; with the "magic number" 1.5·2^23: adding it leaves n in the low mantissa bits, so the integer n is
;; the bits minus the magic's bits, with no float-to-int conversion (V8 expands i32x4.trunc_sat_f32x4_s
;; into 6 instructions on x64). 2^n is applied as 2^(n>>1) · 2^(n − (n>>1)), two normal powers for
;; every n in [−251, 251]: t is clamped to [−174, 174] first, so e^t underflows gradually to
;; subnormals and then to +0 for very negative t, overflows to +∞ for large t, and is never NaN unless t
;; is (the clamp is pmax/pmin with t as first operand, which passes NaN through: the reference turns a
;; NaN anywhere in a segment into NaN for the whole segment, and so does this).
;;
;; Speed. The exp is a chain of ~20 dependent operations, so the loops that compute it take two vectors
;; per trip, interleaved, and the reductions keep two accumulators, giving the out-of-order core two
;; independent chains to overlap (a few percent on an AMD EPYC VM, within its noise; it costs nothing
;; since the tail rides on the last trip either way). The exp code is written out in each loop, not called:
;; V8 (Node 20) does not inline wasm calls, and a call would spill every live v128. Its constants are
;; read from mutable globals into locals before the loops: V8 folds a v128.const, even one held in a
;; local, into the loop and rebuilds it at every use (3 instructions each, 13 of them); a global's value
;; is a load it cannot fold, so it stays in a register or one stack slot. The last trip of an exp loop
;; takes the last full vector and the tail (or the tail alone), so the exp code is written once per loop.
;;
;; The per-segment steps (the tail's load, mask and store, ln Σ) are written out in place too: a call
;; spills every live v128 (the 14 constants included): 20–35% of the time on segments of 1–8, measured.
;;
;; The tolerances these meet (backend-conformance.ts) allow f32 sums, f32 exp and a multiply by 1/sum
;; where the reference sums, exponentiates and divides in f64. ln Σ is computed in f64 once per segment,
;; in the module: it imports nothing but the memory.
(module
  (import "env" "memory" (memory 1))
  ;; The exp's constants (see the top for why globals).
  (global $g_lo (mut v128) (v128.const f32x4 -174 -174 -174 -174))
  (global $g_hi (mut v128) (v128.const f32x4 174 174 174 174))
  (global $g_log2e (mut v128) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
  (global $g_magic (mut v128) (v128.const f32x4 12582912 12582912 12582912 12582912))
  (global $g_c1 (mut v128) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
  (global $g_c2 (mut v128) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
  (global $g_p0 (mut v128) (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
  (global $g_p1 (mut v128) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
  (global $g_p2 (mut v128) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3))
  (global $g_p3 (mut v128) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))
  (global $g_p4 (mut v128) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1))
  (global $g_p5 (mut v128) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))
  (global $g_one (mut v128) (v128.const f32x4 1 1 1 1))
  (global $g_bias (mut v128) (v128.const i32x4 127 127 127 127))

  ;; The first segment s < $segments with offsets[s] < offsets[s + 1] outside [0, $values], or −1. Empty
  ;; (and reversed) segments write nothing, so they are not checked, as in the reference.
  (func $first_bad_segment (param $offsets i32) (param $segments i32) (param $values i32) (result i32)
    (local $s i32) (local $start i32) (local $end i32) (local $p i32)
    (local.set $p (local.get $offsets))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $s) (local.get $segments)))
        (local.set $start (i32.load (local.get $p)))
        (local.set $end (i32.load offset=4 (local.get $p)))
        (if (i32.and
              (i32.gt_s (local.get $end) (local.get $start))
              (i32.or (i32.lt_s (local.get $start) (i32.const 0)) (i32.gt_s (local.get $end) (local.get $values))))
          (then (return (local.get $s))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; out = softmax (or log-softmax when $log) of x over each segment [offsets[s], offsets[s + 1]),
  ;; s < $segments. $values is min(x.length, out.length). Returns −1, or, writing nothing, the first
  ;; segment that reaches outside [0, $values).
  (func (export "segment_softmax")
    (param $x i32) (param $offsets i32) (param $out i32) (param $segments i32) (param $values i32) (param $log i32)
    (result i32)
    (local $bad i32) (local $s i32) (local $op i32) (local $start i32) (local $len i32)
    (local $xp i32) (local $outp i32) (local $p i32) (local $q i32) (local $k i32) (local $tail i32) (local $tail_byte i32)
    (local $sum f64) (local $lsum f64) (local $bits i64) (local $e f64) (local $lm f64) (local $ls f64) (local $lz f64) (local $big i32)
    (local $tv v128) (local $mask v128) (local $mt v128) (local $mu v128) (local $m v128) (local $m2 v128)
    (local $acc v128) (local $acc2 v128) (local $et v128)
    (local $t v128) (local $tn v128) (local $ti v128) (local $tp v128)
    (local $u v128) (local $un v128) (local $ui v128) (local $up v128)
    (local $k_lo v128) (local $k_hi v128) (local $k_log2e v128) (local $k_magic v128) (local $k_c1 v128)
    (local $k_c2 v128) (local $k_p0 v128) (local $k_p1 v128) (local $k_p2 v128) (local $k_p3 v128)
    (local $k_p4 v128) (local $k_p5 v128) (local $k_one v128) (local $k_bias v128)
    (local.set $bad (call $first_bad_segment (local.get $offsets) (local.get $segments) (local.get $values)))
    (if (i32.ge_s (local.get $bad) (i32.const 0)) (then (return (local.get $bad))))
    (local.set $k_lo (global.get $g_lo))
    (local.set $k_hi (global.get $g_hi))
    (local.set $k_log2e (global.get $g_log2e))
    (local.set $k_magic (global.get $g_magic))
    (local.set $k_c1 (global.get $g_c1))
    (local.set $k_c2 (global.get $g_c2))
    (local.set $k_p0 (global.get $g_p0))
    (local.set $k_p1 (global.get $g_p1))
    (local.set $k_p2 (global.get $g_p2))
    (local.set $k_p3 (global.get $g_p3))
    (local.set $k_p4 (global.get $g_p4))
    (local.set $k_p5 (global.get $g_p5))
    (local.set $k_one (global.get $g_one))
    (local.set $k_bias (global.get $g_bias))
    (local.set $op (local.get $offsets))
    (block $segments_done
      (loop $segment
        (br_if $segments_done (i32.ge_u (local.get $s) (local.get $segments)))
        (local.set $start (i32.load (local.get $op)))
        (local.set $len (i32.sub (i32.load offset=4 (local.get $op)) (local.get $start)))
        (local.set $op (i32.add (local.get $op) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br_if $segment (i32.le_s (local.get $len) (i32.const 0)))
        (local.set $xp (i32.add (local.get $x) (i32.shl (local.get $start) (i32.const 2))))
        (local.set $outp (i32.add (local.get $out) (i32.shl (local.get $start) (i32.const 2))))
        (local.set $tail (i32.and (local.get $len) (i32.const 3)))
        (local.set $mask (v128.const i32x4 0 0 0 0))
        (if (local.get $tail)
          (then
            (local.set $tail_byte (i32.shl (i32.sub (local.get $len) (i32.const 4)) (i32.const 2)))
            (local.set $mask (if (result v128) (i32.ge_u (local.get $len) (i32.const 4))
              (then (i32x4.ge_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.sub (i32.const 4) (local.get $tail)))))
              (else (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $len))))))
            (if (i32.ge_u (local.get $len) (i32.const 4))
              (then (local.set $tv (v128.load (i32.add (local.get $xp) (local.get $tail_byte)))))
              (else
                (local.set $tv (v128.load32_lane 0 (local.get $xp) (v128.const i32x4 0 0 0 0)))
                (if (i32.gt_u (local.get $len) (i32.const 1))
                  (then (local.set $tv (v128.load32_lane offset=4 1 (local.get $xp) (local.get $tv)))))
                (if (i32.gt_u (local.get $len) (i32.const 2))
                  (then (local.set $tv (v128.load32_lane offset=8 2 (local.get $xp) (local.get $tv)))))))
            ))

        ;; max, lane-wise with pmax: pmax(m, v) = m < v ? v : m is the reference's `if (x > max) max = x`,
        ;; one maxps on x64 where f32x4.max needs a NaN-propagating sequence. The lanes outside the tail's
        ;; mask are −∞.
        (local.set $m (v128.bitselect (local.get $tv) (v128.const f32x4 -inf -inf -inf -inf) (local.get $mask)))
        (local.set $m2 (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $p (local.get $xp))
        (local.set $k (i32.shr_u (local.get $len) (i32.const 2)))
        (block $max_done
          (loop $max
            (br_if $max_done (i32.lt_u (local.get $k) (i32.const 2)))
            (local.set $m (f32x4.pmax (local.get $m) (v128.load (local.get $p))))
            (local.set $m2 (f32x4.pmax (local.get $m2) (v128.load offset=16 (local.get $p))))
            (local.set $p (i32.add (local.get $p) (i32.const 32)))
            (local.set $k (i32.sub (local.get $k) (i32.const 2)))
            (br $max)))
        (if (local.get $k) (then (local.set $m (f32x4.pmax (local.get $m) (v128.load (local.get $p))))))
        ;; Every lane ends up holding the maximum.
        (local.set $m (f32x4.pmax (local.get $m) (local.get $m2)))
        (local.set $m (f32x4.pmax (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
        (local.set $m (f32x4.pmax (local.get $m) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $m) (local.get $m))))

        ;; Σ e^(x − max), storing e^(x − max) to out for softmax: two full vectors a trip, then a last trip
        ;; with the last full vector (if len >> 2 is odd) and the tail, masked.
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $acc2 (v128.const f32x4 0 0 0 0))
        (local.set $p (local.get $xp))
        (local.set $q (local.get $outp))
        (local.set $k (i32.shr_u (local.get $len) (i32.const 2)))
        (block $sum_done
          (loop $sum
            (if (i32.ge_u (local.get $k) (i32.const 2))
              (then
                (local.set $t (f32x4.sub (v128.load (local.get $p)) (local.get $m)))
                (local.set $u (f32x4.sub (v128.load offset=16 (local.get $p)) (local.get $m))))
              (else
                (br_if $sum_done (i32.eqz (i32.or (local.get $k) (local.get $tail))))
                (if (local.get $k)
                  (then
                    (local.set $t (f32x4.sub (v128.load (local.get $p)) (local.get $m)))
                    (local.set $mt (v128.const i32x4 -1 -1 -1 -1))
                    (local.set $mu (local.get $mask)))
                  (else
                    (local.set $t (f32x4.sub (local.get $tv) (local.get $m)))
                    (local.set $mt (local.get $mask))
                    (local.set $mu (v128.const i32x4 0 0 0 0))))
                ;; Unused (masked out) without a tail.
                (local.set $u (f32x4.sub (local.get $tv) (local.get $m)))))
            (local.set $t (f32x4.pmin (f32x4.pmax (local.get $t) (local.get $k_lo)) (local.get $k_hi)))
            (local.set $u (f32x4.pmin (f32x4.pmax (local.get $u) (local.get $k_lo)) (local.get $k_hi)))
            (local.set $tn (f32x4.add (f32x4.mul (local.get $t) (local.get $k_log2e)) (local.get $k_magic)))
            (local.set $un (f32x4.add (f32x4.mul (local.get $u) (local.get $k_log2e)) (local.get $k_magic)))
            (local.set $ti (i32x4.sub (local.get $tn) (local.get $k_magic)))
            (local.set $ui (i32x4.sub (local.get $un) (local.get $k_magic)))
            (local.set $tn (f32x4.sub (local.get $tn) (local.get $k_magic)))
            (local.set $un (f32x4.sub (local.get $un) (local.get $k_magic)))
            (local.set $t (f32x4.sub (f32x4.sub (local.get $t) (f32x4.mul (local.get $tn) (local.get $k_c1))) (f32x4.mul (local.get $tn) (local.get $k_c2))))
            (local.set $u (f32x4.sub (f32x4.sub (local.get $u) (f32x4.mul (local.get $un) (local.get $k_c1))) (f32x4.mul (local.get $un) (local.get $k_c2))))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $k_p0) (local.get $t)) (local.get $k_p1)))
            (local.set $up (f32x4.add (f32x4.mul (local.get $k_p0) (local.get $u)) (local.get $k_p1)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $t)) (local.get $k_p2)))
            (local.set $up (f32x4.add (f32x4.mul (local.get $up) (local.get $u)) (local.get $k_p2)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $t)) (local.get $k_p3)))
            (local.set $up (f32x4.add (f32x4.mul (local.get $up) (local.get $u)) (local.get $k_p3)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $t)) (local.get $k_p4)))
            (local.set $up (f32x4.add (f32x4.mul (local.get $up) (local.get $u)) (local.get $k_p4)))
            (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $t)) (local.get $k_p5)))
            (local.set $up (f32x4.add (f32x4.mul (local.get $up) (local.get $u)) (local.get $k_p5)))
            (local.set $tp (f32x4.add (f32x4.add (f32x4.mul (local.get $tp) (f32x4.mul (local.get $t) (local.get $t))) (local.get $t)) (local.get $k_one)))
            (local.set $up (f32x4.add (f32x4.add (f32x4.mul (local.get $up) (f32x4.mul (local.get $u) (local.get $u))) (local.get $u)) (local.get $k_one)))
            (local.set $tn (i32x4.shr_s (local.get $ti) (i32.const 1)))
            (local.set $un (i32x4.shr_s (local.get $ui) (i32.const 1)))
            (local.set $t (f32x4.mul (f32x4.mul (local.get $tp) (i32x4.shl (i32x4.add (local.get $tn) (local.get $k_bias)) (i32.const 23))) (i32x4.shl (i32x4.add (i32x4.sub (local.get $ti) (local.get $tn)) (local.get $k_bias)) (i32.const 23))))
            (local.set $u (f32x4.mul (f32x4.mul (local.get $up) (i32x4.shl (i32x4.add (local.get $un) (local.get $k_bias)) (i32.const 23))) (i32x4.shl (i32x4.add (i32x4.sub (local.get $ui) (local.get $un)) (local.get $k_bias)) (i32.const 23))))
            (if (i32.lt_u (local.get $k) (i32.const 2))
              (then
                (local.set $acc (f32x4.add (local.get $acc) (v128.and (local.get $t) (local.get $mt))))
                (local.set $acc2 (f32x4.add (local.get $acc2) (v128.and (local.get $u) (local.get $mu))))
                ;; The tail is stored after the normalisation, unmasked (see the top).
                (local.set $et (local.get $u))
                (if (local.get $k)
                  (then (if (i32.eqz (local.get $log)) (then (v128.store (local.get $q) (local.get $t)))))
                  (else (local.set $et (local.get $t))))
                (br $sum_done)))
            (local.set $acc (f32x4.add (local.get $acc) (local.get $t)))
            (local.set $acc2 (f32x4.add (local.get $acc2) (local.get $u)))
            (if (i32.eqz (local.get $log))
              (then
                (v128.store (local.get $q) (local.get $t))
                (v128.store offset=16 (local.get $q) (local.get $u))))
            (local.set $p (i32.add (local.get $p) (i32.const 32)))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (local.set $k (i32.sub (local.get $k) (i32.const 2)))
            (br $sum)))
        ;; Every lane ends up holding the sum (the same sum in each: f32 addition commutes).
        (local.set $acc (f32x4.add (local.get $acc) (local.get $acc2)))
        (local.set $acc (f32x4.add (local.get $acc) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
        (local.set $acc (f32x4.add (local.get $acc) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $acc) (local.get $acc))))

        (local.set $q (local.get $outp))
        (local.set $k (i32.shr_u (local.get $len) (i32.const 2)))
        (if (local.get $log)
          (then
            ;; out = (x − max) − ln Σ, subtracting in the reference's order.
            ;; ln Σ in f64. Σ ≥ 1 (the maximum contributes e^0 = 1 exactly), or NaN when the segment
            ;; holds a NaN or ±∞ that made it NaN. Σ = m·2^e with m in [√½, √2), ln m = 2·atanh(s) with
            ;; s = (m − 1)/(m + 1), |s| ≤ 0.172, summed to s^9 (truncation < 1e-9, far below an f32 ulp of
            ;; the result) in Estrin's order: on short segments this chain's latency, not its instruction
            ;; count, is what costs.
            (local.set $sum (f64.promote_f32 (f32x4.extract_lane 0 (local.get $acc))))
            (if (i32.and (f64.gt (local.get $sum) (f64.const 0)) (f64.lt (local.get $sum) (f64.const inf)))
              (then
                ;; A promoted f32 is a normal f64, so the exponent field is the exponent.
                (local.set $bits (i64.reinterpret_f64 (local.get $sum)))
                (local.set $e (f64.convert_i64_s (i64.sub (i64.shr_u (local.get $bits) (i64.const 52)) (i64.const 1023))))
                (local.set $lm (f64.reinterpret_i64
                  (i64.or (i64.and (local.get $bits) (i64.const 0x000FFFFFFFFFFFFF)) (i64.const 0x3FF0000000000000))))
                ;; Branch-free: whether m > √2 is a coin toss from segment to segment.
                (local.set $big (f64.gt (local.get $lm) (f64.const 1.4142135623730951)))
                (local.set $lm (select (f64.mul (local.get $lm) (f64.const 0.5)) (local.get $lm) (local.get $big)))
                (local.set $e (f64.add (local.get $e) (f64.convert_i32_u (local.get $big))))
                (local.set $ls (f64.div (f64.sub (local.get $lm) (f64.const 1)) (f64.add (local.get $lm) (f64.const 1))))
                (local.set $lz (f64.mul (local.get $ls) (local.get $ls)))
                (local.set $lsum (f64.add
                  (f64.mul (local.get $e) (f64.const 0.6931471805599453))
                  (f64.mul
                    (f64.mul (f64.const 2) (local.get $ls))
                    (f64.add
                      (f64.add (f64.const 1) (f64.mul (local.get $lz) (f64.const 0.3333333333333333)))
                      (f64.mul (f64.mul (local.get $lz) (local.get $lz))
                        (f64.add
                          (f64.add (f64.const 0.2) (f64.mul (local.get $lz) (f64.const 0.14285714285714285)))
                          (f64.mul (f64.mul (local.get $lz) (local.get $lz)) (f64.const 0.1111111111111111)))))))))
              ;; NaN stays NaN (and 0 or +∞, which Σ cannot be, would give −∞ or +∞).
              (else (local.set $lsum (select (f64.const -inf) (local.get $sum) (f64.eq (local.get $sum) (f64.const 0))))))
            (local.set $acc (f32x4.splat (f32.demote_f64 (local.get $lsum))))
            (local.set $p (local.get $xp))
            (block $log_done
              (loop $log_out
                (br_if $log_done (i32.eqz (local.get $k)))
                (v128.store (local.get $q)
                  (f32x4.sub (f32x4.sub (v128.load (local.get $p)) (local.get $m)) (local.get $acc)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $log_out)))
            (if (local.get $tail)
              (then
                (local.set $et (f32x4.sub (f32x4.sub (local.get $tv) (local.get $m)) (local.get $acc)))
                (if (i32.ge_u (local.get $len) (i32.const 4))
                  (then (v128.store (i32.add (local.get $outp) (local.get $tail_byte)) (local.get $et)))
                  (else
                    (v128.store32_lane 0 (local.get $outp) (local.get $et))
                    (if (i32.gt_u (local.get $len) (i32.const 1))
                      (then (v128.store32_lane offset=4 1 (local.get $outp) (local.get $et))))
                    (if (i32.gt_u (local.get $len) (i32.const 2))
                      (then (v128.store32_lane offset=8 2 (local.get $outp) (local.get $et))))))
                )))
          (else
            ;; out = e^(x − max) · (1/Σ): a multiply, not a divide per element; 1/Σ adds half an ulp.
            (local.set $acc (f32x4.div (local.get $k_one) (local.get $acc)))
            (block $scale_done
              (loop $scale
                (br_if $scale_done (i32.eqz (local.get $k)))
                (v128.store (local.get $q) (f32x4.mul (v128.load (local.get $q)) (local.get $acc)))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $scale)))
            (if (local.get $tail)
              (then
                (local.set $et (f32x4.mul (local.get $et) (local.get $acc)))
                (if (i32.ge_u (local.get $len) (i32.const 4))
                  (then (v128.store (i32.add (local.get $outp) (local.get $tail_byte)) (local.get $et)))
                  (else
                    (v128.store32_lane 0 (local.get $outp) (local.get $et))
                    (if (i32.gt_u (local.get $len) (i32.const 1))
                      (then (v128.store32_lane offset=4 1 (local.get $outp) (local.get $et))))
                    (if (i32.gt_u (local.get $len) (i32.const 2))
                      (then (v128.store32_lane offset=8 2 (local.get $outp) (local.get $et))))))
                ))))
        (br $segment)))
    (i32.const -1))

  ;; dx = the gradient of segment_softmax from its output y and dy: softmax dx = y·(dy − Σ dy·y),
  ;; log-softmax dx = dy − e^y·Σ dy, per segment. $values is min(y.length, dy.length, dx.length).
  ;; Returns −1, or, writing nothing, the first segment that reaches outside [0, $values).
  (func (export "segment_softmax_grad")
    (param $y i32) (param $dy i32) (param $offsets i32) (param $dx i32) (param $segments i32) (param $values i32)
    (param $log i32) (result i32)
    (local $bad i32) (local $s i32) (local $op i32) (local $start i32) (local $len i32) (local $byte i32)
    (local $yp i32) (local $dyp i32) (local $dxp i32) (local $p i32) (local $k i32) (local $tail i32) (local $tail_byte i32)
    (local $ty v128) (local $tdy v128) (local $mask v128) (local $acc v128) (local $acc2 v128)
    (local $d v128) (local $d2 v128)
    (local $t v128) (local $tn v128) (local $ti v128) (local $tp v128)
    (local $u v128) (local $un v128) (local $ui v128) (local $up v128)
    (local $k_lo v128) (local $k_hi v128) (local $k_log2e v128) (local $k_magic v128) (local $k_c1 v128)
    (local $k_c2 v128) (local $k_p0 v128) (local $k_p1 v128) (local $k_p2 v128) (local $k_p3 v128)
    (local $k_p4 v128) (local $k_p5 v128) (local $k_one v128) (local $k_bias v128)
    (local.set $bad (call $first_bad_segment (local.get $offsets) (local.get $segments) (local.get $values)))
    (if (i32.ge_s (local.get $bad) (i32.const 0)) (then (return (local.get $bad))))
    (local.set $k_lo (global.get $g_lo))
    (local.set $k_hi (global.get $g_hi))
    (local.set $k_log2e (global.get $g_log2e))
    (local.set $k_magic (global.get $g_magic))
    (local.set $k_c1 (global.get $g_c1))
    (local.set $k_c2 (global.get $g_c2))
    (local.set $k_p0 (global.get $g_p0))
    (local.set $k_p1 (global.get $g_p1))
    (local.set $k_p2 (global.get $g_p2))
    (local.set $k_p3 (global.get $g_p3))
    (local.set $k_p4 (global.get $g_p4))
    (local.set $k_p5 (global.get $g_p5))
    (local.set $k_one (global.get $g_one))
    (local.set $k_bias (global.get $g_bias))
    (local.set $op (local.get $offsets))
    (block $segments_done
      (loop $segment
        (br_if $segments_done (i32.ge_u (local.get $s) (local.get $segments)))
        (local.set $start (i32.load (local.get $op)))
        (local.set $len (i32.sub (i32.load offset=4 (local.get $op)) (local.get $start)))
        (local.set $op (i32.add (local.get $op) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br_if $segment (i32.le_s (local.get $len) (i32.const 0)))
        (local.set $byte (i32.shl (local.get $start) (i32.const 2)))
        (local.set $yp (i32.add (local.get $y) (local.get $byte)))
        (local.set $dyp (i32.add (local.get $dy) (local.get $byte)))
        (local.set $dxp (i32.add (local.get $dx) (local.get $byte)))
        (local.set $tail (i32.and (local.get $len) (i32.const 3)))
        (local.set $mask (v128.const i32x4 0 0 0 0))
        (if (local.get $tail)
          (then
            (local.set $tail_byte (i32.shl (i32.sub (local.get $len) (i32.const 4)) (i32.const 2)))
            (local.set $mask (if (result v128) (i32.ge_u (local.get $len) (i32.const 4))
              (then (i32x4.ge_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.sub (i32.const 4) (local.get $tail)))))
              (else (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $len))))))
            (if (i32.ge_u (local.get $len) (i32.const 4))
              (then (local.set $ty (v128.load (i32.add (local.get $yp) (local.get $tail_byte)))))
              (else
                (local.set $ty (v128.load32_lane 0 (local.get $yp) (v128.const i32x4 0 0 0 0)))
                (if (i32.gt_u (local.get $len) (i32.const 1))
                  (then (local.set $ty (v128.load32_lane offset=4 1 (local.get $yp) (local.get $ty)))))
                (if (i32.gt_u (local.get $len) (i32.const 2))
                  (then (local.set $ty (v128.load32_lane offset=8 2 (local.get $yp) (local.get $ty)))))))
            (if (i32.ge_u (local.get $len) (i32.const 4))
              (then (local.set $tdy (v128.load (i32.add (local.get $dyp) (local.get $tail_byte)))))
              (else
                (local.set $tdy (v128.load32_lane 0 (local.get $dyp) (v128.const i32x4 0 0 0 0)))
                (if (i32.gt_u (local.get $len) (i32.const 1))
                  (then (local.set $tdy (v128.load32_lane offset=4 1 (local.get $dyp) (local.get $tdy)))))
                (if (i32.gt_u (local.get $len) (i32.const 2))
                  (then (local.set $tdy (v128.load32_lane offset=8 2 (local.get $dyp) (local.get $tdy)))))))
            ))

        ;; Σ dy (log) or Σ dy·y, the tail's uncovered lanes first. $p walks the byte offset within the
        ;; segment, shared by the three buffers.
        (local.set $acc2 (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.const 0))
        (local.set $k (i32.shr_u (local.get $len) (i32.const 2)))
        (if (local.get $log)
          (then
            (local.set $acc (v128.and (local.get $tdy) (local.get $mask)))
            (block $dy_done
              (loop $dy_sum
                (br_if $dy_done (i32.lt_u (local.get $k) (i32.const 2)))
                (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $dyp) (local.get $p)))))
                (local.set $acc2 (f32x4.add (local.get $acc2) (v128.load offset=16 (i32.add (local.get $dyp) (local.get $p)))))
                (local.set $p (i32.add (local.get $p) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 2)))
                (br $dy_sum)))
            (if (local.get $k)
              (then (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $dyp) (local.get $p))))))))
          (else
            (local.set $acc (v128.and (f32x4.mul (local.get $tdy) (local.get $ty)) (local.get $mask)))
            (block $dot_done
              (loop $dot
                (br_if $dot_done (i32.lt_u (local.get $k) (i32.const 2)))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (v128.load (i32.add (local.get $dyp) (local.get $p))) (v128.load (i32.add (local.get $yp) (local.get $p))))))
                (local.set $acc2 (f32x4.add (local.get $acc2)
                  (f32x4.mul (v128.load offset=16 (i32.add (local.get $dyp) (local.get $p)))
                             (v128.load offset=16 (i32.add (local.get $yp) (local.get $p))))))
                (local.set $p (i32.add (local.get $p) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 2)))
                (br $dot)))
            (if (local.get $k)
              (then (local.set $acc (f32x4.add (local.get $acc)
                (f32x4.mul (v128.load (i32.add (local.get $dyp) (local.get $p))) (v128.load (i32.add (local.get $yp) (local.get $p))))))))))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $acc2)))
        (local.set $acc (f32x4.add (local.get $acc) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
        (local.set $acc (f32x4.add (local.get $acc) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $acc) (local.get $acc))))

        (local.set $p (i32.const 0))
        (local.set $k (i32.shr_u (local.get $len) (i32.const 2)))
        (if (local.get $log)
          (then
            ;; dx = dy − e^y·Σ: two full vectors a trip, then a last trip with the last full vector (if
            ;; len >> 2 is odd) and the tail.
            (block $log_done
              (loop $log_out
                (if (i32.ge_u (local.get $k) (i32.const 2))
                  (then
                    (local.set $t (v128.load (i32.add (local.get $yp) (local.get $p))))
                    (local.set $u (v128.load offset=16 (i32.add (local.get $yp) (local.get $p))))
                    (local.set $d (v128.load (i32.add (local.get $dyp) (local.get $p))))
                    (local.set $d2 (v128.load offset=16 (i32.add (local.get $dyp) (local.get $p)))))
                  (else
                    (br_if $log_done (i32.eqz (i32.or (local.get $k) (local.get $tail))))
                    (if (local.get $k)
                      (then
                        (local.set $t (v128.load (i32.add (local.get $yp) (local.get $p))))
                        (local.set $d (v128.load (i32.add (local.get $dyp) (local.get $p)))))
                      (else
                        (local.set $t (local.get $ty))
                        (local.set $d (local.get $tdy))))
                    ;; Unused (not stored) without a tail.
                    (local.set $u (local.get $ty))
                    (local.set $d2 (local.get $tdy))))
                (local.set $t (f32x4.pmin (f32x4.pmax (local.get $t) (local.get $k_lo)) (local.get $k_hi)))
                (local.set $u (f32x4.pmin (f32x4.pmax (local.get $u) (local.get $k_lo)) (local.get $k_hi)))
                (local.set $tn (f32x4.add (f32x4.mul (local.get $t) (local.get $k_log2e)) (local.get $k_magic)))
                (local.set $un (f32x4.add (f32x4.mul (local.get $u) (local.get $k_log2e)) (local.get $k_magic)))
                (local.set $ti (i32x4.sub (local.get $tn) (local.get $k_magic)))
                (local.set $ui (i32x4.sub (local.get $un) (local.get $k_magic)))
                (local.set $tn (f32x4.sub (local.get $tn) (local.get $k_magic)))
                (local.set $un (f32x4.sub (local.get $un) (local.get $k_magic)))
                (local.set $t (f32x4.sub (f32x4.sub (local.get $t) (f32x4.mul (local.get $tn) (local.get $k_c1))) (f32x4.mul (local.get $tn) (local.get $k_c2))))
                (local.set $u (f32x4.sub (f32x4.sub (local.get $u) (f32x4.mul (local.get $un) (local.get $k_c1))) (f32x4.mul (local.get $un) (local.get $k_c2))))
                (local.set $tp (f32x4.add (f32x4.mul (local.get $k_p0) (local.get $t)) (local.get $k_p1)))
                (local.set $up (f32x4.add (f32x4.mul (local.get $k_p0) (local.get $u)) (local.get $k_p1)))
                (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $t)) (local.get $k_p2)))
                (local.set $up (f32x4.add (f32x4.mul (local.get $up) (local.get $u)) (local.get $k_p2)))
                (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $t)) (local.get $k_p3)))
                (local.set $up (f32x4.add (f32x4.mul (local.get $up) (local.get $u)) (local.get $k_p3)))
                (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $t)) (local.get $k_p4)))
                (local.set $up (f32x4.add (f32x4.mul (local.get $up) (local.get $u)) (local.get $k_p4)))
                (local.set $tp (f32x4.add (f32x4.mul (local.get $tp) (local.get $t)) (local.get $k_p5)))
                (local.set $up (f32x4.add (f32x4.mul (local.get $up) (local.get $u)) (local.get $k_p5)))
                (local.set $tp (f32x4.add (f32x4.add (f32x4.mul (local.get $tp) (f32x4.mul (local.get $t) (local.get $t))) (local.get $t)) (local.get $k_one)))
                (local.set $up (f32x4.add (f32x4.add (f32x4.mul (local.get $up) (f32x4.mul (local.get $u) (local.get $u))) (local.get $u)) (local.get $k_one)))
                (local.set $tn (i32x4.shr_s (local.get $ti) (i32.const 1)))
                (local.set $un (i32x4.shr_s (local.get $ui) (i32.const 1)))
                (local.set $t (f32x4.mul (f32x4.mul (local.get $tp) (i32x4.shl (i32x4.add (local.get $tn) (local.get $k_bias)) (i32.const 23))) (i32x4.shl (i32x4.add (i32x4.sub (local.get $ti) (local.get $tn)) (local.get $k_bias)) (i32.const 23))))
                (local.set $u (f32x4.mul (f32x4.mul (local.get $up) (i32x4.shl (i32x4.add (local.get $un) (local.get $k_bias)) (i32.const 23))) (i32x4.shl (i32x4.add (i32x4.sub (local.get $ui) (local.get $un)) (local.get $k_bias)) (i32.const 23))))
                (local.set $t (f32x4.sub (local.get $d) (f32x4.mul (local.get $t) (local.get $acc))))
                (local.set $u (f32x4.sub (local.get $d2) (f32x4.mul (local.get $u) (local.get $acc))))
                (if (i32.lt_u (local.get $k) (i32.const 2))
                  (then
                    (if (local.get $k)
                      (then
                        (v128.store (i32.add (local.get $dxp) (local.get $p)) (local.get $t))
                        (local.set $t (local.get $u))))
                    ;; Without a tail, k = 1 here and $u is not stored.
                    (if (local.get $tail)
                      (then
                        (if (i32.ge_u (local.get $len) (i32.const 4))
                          (then (v128.store (i32.add (local.get $dxp) (local.get $tail_byte)) (local.get $t)))
                          (else
                            (v128.store32_lane 0 (local.get $dxp) (local.get $t))
                            (if (i32.gt_u (local.get $len) (i32.const 1))
                              (then (v128.store32_lane offset=4 1 (local.get $dxp) (local.get $t))))
                            (if (i32.gt_u (local.get $len) (i32.const 2))
                              (then (v128.store32_lane offset=8 2 (local.get $dxp) (local.get $t))))))
                        ))
                    (br $log_done)))
                (v128.store (i32.add (local.get $dxp) (local.get $p)) (local.get $t))
                (v128.store offset=16 (i32.add (local.get $dxp) (local.get $p)) (local.get $u))
                (local.set $p (i32.add (local.get $p) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 2)))
                (br $log_out))))
          (else
            ;; dx = y·(dy − Σ).
            (block $soft_done
              (loop $soft_out
                (br_if $soft_done (i32.eqz (local.get $k)))
                (v128.store (i32.add (local.get $dxp) (local.get $p))
                  (f32x4.mul (v128.load (i32.add (local.get $yp) (local.get $p)))
                             (f32x4.sub (v128.load (i32.add (local.get $dyp) (local.get $p))) (local.get $acc))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $soft_out)))
            (if (local.get $tail)
              (then
                (local.set $ty (f32x4.mul (local.get $ty) (f32x4.sub (local.get $tdy) (local.get $acc))))
                (if (i32.ge_u (local.get $len) (i32.const 4))
                  (then (v128.store (i32.add (local.get $dxp) (local.get $tail_byte)) (local.get $ty)))
                  (else
                    (v128.store32_lane 0 (local.get $dxp) (local.get $ty))
                    (if (i32.gt_u (local.get $len) (i32.const 1))
                      (then (v128.store32_lane offset=4 1 (local.get $dxp) (local.get $ty))))
                    (if (i32.gt_u (local.get $len) (i32.const 2))
                      (then (v128.store32_lane offset=8 2 (local.get $dxp) (local.get $ty))))))
                ))))
        (br $segment)))
    (i32.const -1)))
