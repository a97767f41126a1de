;; The two matrix products of the softmax-regression objective (softmax-wasm.ts), float64 with
;; SIMD. Built into softmax-kernels-wasm.ts by `node scripts/build-wasm.mjs`; a test checks the
;; two agree. Pointers are byte offsets of float64 arrays, row-major.
;;
;; logits(x, n, d, w, k, z):   z[i·k + c] = Σ_j w[c·d + j] · x[i·d + j]   (n×k = X·Wᵀ)
;; gradient(x, n, d, r, k, g): g[c·d + j] = Σ_i r[i·k + c] · x[i·d + j]   (k×d = Rᵀ·X)
;;
;; The dot products keep four partial sums (two f64x2 lanes each): one running sum would wait on
;; the previous add every step. A row's last d mod 4 features are summed one at a time.
(module
  (memory (export "memory") 1)

  ;; Σ_j a[j]·b[j] over d float64s.
  (func $dot (param $a i32) (param $b i32) (param $d i32) (result f64)
    (local $s0 v128) (local $s1 v128) (local $end i32) (local $tail f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $d) (i32.const -4)) (i32.const 3))))
    (block $done
      (loop $quads
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $s0 (f64x2.add (local.get $s0)
          (f64x2.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $s1 (f64x2.add (local.get $s1)
          (f64x2.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $quads)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $d) (i32.const 3)) (i32.const 3))))
    (block $done_tail
      (loop $ones
        (br_if $done_tail (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $tail (f64.add (local.get $tail) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $ones)))
    (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
    (f64.add
      (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0)))
      (local.get $tail)))

  ;; out[j] += s·x[j] over d float64s.
  (func $axpy (param $s f64) (param $x i32) (param $out i32) (param $d i32)
    (local $sv v128) (local $end i32)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $out)
          (f64x2.add (v128.load (local.get $out)) (f64x2.mul (local.get $sv) (v128.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $pairs)))
    (if (i32.and (local.get $d) (i32.const 1))
      (then
        (f64.store (local.get $out)
          (f64.add (f64.load (local.get $out)) (f64.mul (local.get $s) (f64.load (local.get $x))))))))

  (func (export "logits") (param $x i32) (param $n i32) (param $d i32) (param $w i32) (param $k i32) (param $z i32)
    (local $i i32) (local $c i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (block $done_rows
      (loop $rows
        (br_if $done_rows (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.const 0))
        (block $done_classes
          (loop $classes
            (br_if $done_classes (i32.ge_u (local.get $c) (local.get $k)))
            (f64.store (local.get $z)
              (call $dot (local.get $x) (i32.add (local.get $w) (i32.mul (local.get $c) (local.get $rowBytes))) (local.get $d)))
            (local.set $z (i32.add (local.get $z) (i32.const 8)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $classes)))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  (func (export "gradient") (param $x i32) (param $n i32) (param $d i32) (param $r i32) (param $k i32) (param $g i32)
    (local $i i32) (local $c i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (memory.fill (local.get $g) (i32.const 0) (i32.mul (local.get $k) (local.get $rowBytes)))
    (block $done_rows
      (loop $rows
        (br_if $done_rows (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $c (i32.const 0))
        (block $done_classes
          (loop $classes
            (br_if $done_classes (i32.ge_u (local.get $c) (local.get $k)))
            (call $axpy (f64.load (local.get $r)) (local.get $x)
              (i32.add (local.get $g) (i32.mul (local.get $c) (local.get $rowBytes))) (local.get $d))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $classes)))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))
