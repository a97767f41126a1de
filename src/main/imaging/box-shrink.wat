;; Area-average shrink for the libjpeg-turbo thumbnail path (src/main/imaging/box-shrink.ts).
;; Built into box-shrink-wasm.ts by `node scripts/build-wasm.mjs`; a test checks the two agree.
;;
;; shrink(src, width, height, factor, acc, dst): averages each factor×factor block of the RGBX
;; image at `src` (4 bytes per pixel, rows packed) into one RGB pixel at `dst`, rounding to
;; nearest. Rows are summed 16 bytes at a time into 16-bit column sums at `acc` (width × 8 bytes
;; + 32 of slack: the last load of a row may run up to 12 bytes past it, into memory the caller
;; reserves); then each block's `factor` columns are added up and divided.
(module
  (memory (export "memory") 1)
  (func (export "shrink") (param $src i32) (param $width i32) (param $height i32) (param $factor i32)
        (param $acc i32) (param $dst i32)
    (local $ow i32) (local $oh i32) (local $oy i32) (local $r i32) (local $row i32) (local $i i32)
    (local $rowBytes i32) (local $a i32) (local $v v128) (local $ox i32) (local $j i32) (local $p i32)
    (local $sr i32) (local $sg i32) (local $sb i32) (local $area i32) (local $half i32) (local $o i32)
    (local.set $ow (i32.div_u (local.get $width) (local.get $factor)))
    (local.set $oh (i32.div_u (local.get $height) (local.get $factor)))
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $area (i32.mul (local.get $factor) (local.get $factor)))
    (local.set $half (i32.shr_u (local.get $area) (i32.const 1)))
    (local.set $o (local.get $dst))
    (block $done_rows
      (loop $rows
        (br_if $done_rows (i32.ge_u (local.get $oy) (local.get $oh)))
        ;; zero the column sums
        (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $rowBytes) (i32.const 1)))
        (local.set $r (i32.const 0))
        (block $done_vert
          (loop $vert
            (br_if $done_vert (i32.ge_u (local.get $r) (local.get $factor)))
            (local.set $row (i32.add (local.get $src)
              (i32.mul (i32.add (i32.mul (local.get $oy) (local.get $factor)) (local.get $r)) (local.get $rowBytes))))
            (local.set $i (i32.const 0))
            (block $done_cols
              (loop $cols
                (br_if $done_cols (i32.ge_u (local.get $i) (local.get $rowBytes)))
                (local.set $v (v128.load (i32.add (local.get $row) (local.get $i))))
                (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 1))))
                (v128.store (local.get $a)
                  (i16x8.add (v128.load (local.get $a)) (i16x8.extend_low_i8x16_u (local.get $v))))
                (v128.store offset=16 (local.get $a)
                  (i16x8.add (v128.load offset=16 (local.get $a)) (i16x8.extend_high_i8x16_u (local.get $v))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $cols)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $vert)))
        ;; horizontal: sum `factor` pixels of the column sums, divide, store RGB
        (local.set $ox (i32.const 0))
        (local.set $p (local.get $acc))
        (block $done_h
          (loop $h
            (br_if $done_h (i32.ge_u (local.get $ox) (local.get $ow)))
            (local.set $sr (i32.const 0)) (local.set $sg (i32.const 0)) (local.set $sb (i32.const 0))
            (local.set $j (i32.const 0))
            (block $done_j
              (loop $jl
                (br_if $done_j (i32.ge_u (local.get $j) (local.get $factor)))
                (local.set $sr (i32.add (local.get $sr) (i32.load16_u (local.get $p))))
                (local.set $sg (i32.add (local.get $sg) (i32.load16_u offset=2 (local.get $p))))
                (local.set $sb (i32.add (local.get $sb) (i32.load16_u offset=4 (local.get $p))))
                (local.set $p (i32.add (local.get $p) (i32.const 8)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $jl)))
            (i32.store8 (local.get $o) (i32.div_u (i32.add (local.get $sr) (local.get $half)) (local.get $area)))
            (i32.store8 offset=1 (local.get $o) (i32.div_u (i32.add (local.get $sg) (local.get $half)) (local.get $area)))
            (i32.store8 offset=2 (local.get $o) (i32.div_u (i32.add (local.get $sb) (local.get $half)) (local.get $area)))
            (local.set $o (i32.add (local.get $o) (i32.const 3)))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br $h)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rows)))
  )
)
