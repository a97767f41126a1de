/*
 * jpeg-scaled: a JPEG decode at 1/2, 1/4 or 1/8 scale through libjpeg-turbo, for the import's
 * thumbnails (src/main/imaging/jpeg-scaled.ts). libjpeg scales in the DCT domain: at 1/4 it runs
 * a 2×2 inverse DCT per block instead of 8×8 and converts a sixteenth of the pixels, so a
 * 1024×768 photo becomes its 256×192 thumbnail in about two thirds of a full decode's time, with
 * no shrink after it. No prebuilt binding on npm offers this for Node 20 (see README, Scale).
 *
 * Built by scripts/build-native.mjs against libjpeg-turbo (static when the platform's archive
 * allows, so the addon depends on libc only) and Node-API, whose stable ABI lets the one build
 * load in Node and in Electron. One call, synchronous, thread-safe (no shared state):
 *
 *   decodeScaled(jpeg: Buffer, denominator: 1 | 2 | 4 | 8, out: Buffer) -> { width, height }
 *
 * writes RGBX pixels (4 bytes each, rows packed) into `out`, which must be exactly
 * width × height × 4 bytes: the caller computes the size (ceil(side / denominator)) to place the
 * pixels where its shrinker reads them. Corrupt or truncated data throws, warnings included, as
 * TurboJPEG's decoder does: the caller then leaves the photo to sharp, which names the problem.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>

struct guard {
  struct jpeg_error_mgr mgr;
  jmp_buf jump;
  int code;
};

/* libjpeg reports errors through callbacks that must not return: jump back to decode_scaled.
 * The standard error manager (jerror.c) is not used: it prints to stderr, and its object file
 * cannot be linked into a shared library from a non-PIC static libjpeg. */
static void on_error(j_common_ptr c) {
  struct guard *g = (struct guard *)c->err;
  g->code = c->err->msg_code;
  longjmp(g->jump, 1);
}

/* Level −1 is a warning about the data (premature end, corrupt entropy data): fail on it. */
static void on_message(j_common_ptr c, int level) {
  if (level < 0) on_error(c);
}

static void on_output(j_common_ptr c) { (void)c; }

static void on_format(j_common_ptr c, char *buffer) {
  snprintf(buffer, JMSG_LENGTH_MAX, "libjpeg message %d", c->err->msg_code);
}

static void on_reset(j_common_ptr c) {
  c->err->num_warnings = 0;
  c->err->msg_code = 0;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static napi_value size_object(napi_env env, unsigned width, unsigned height) {
  napi_value result, value;
  napi_create_object(env, &result);
  napi_create_uint32(env, width, &value);
  napi_set_named_property(env, result, "width", value);
  napi_create_uint32(env, height, &value);
  napi_set_named_property(env, result, "height", value);
  return result;
}

/* Reads rows straight into the caller's buffer, a few scanlines per call as libjpeg prefers. */
static void read_rows(struct jpeg_decompress_struct *c, unsigned char *out) {
  size_t stride = (size_t)c->output_width * 4;
  while (c->output_scanline < c->output_height) {
    JSAMPROW rows[8];
    JDIMENSION n = 0;
    for (; n < 8 && c->output_scanline + n < c->output_height; n++) rows[n] = out + (c->output_scanline + n) * stride;
    jpeg_read_scanlines(c, rows, n);
  }
}

static napi_value decode_scaled(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *jpeg, *out;
  size_t jpeg_length, out_length;
  uint32_t denominator;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || napi_get_buffer_info(env, argv[0], &jpeg, &jpeg_length) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &denominator) != napi_ok ||
      napi_get_buffer_info(env, argv[2], &out, &out_length) != napi_ok)
    return fail(env, "decodeScaled(jpeg: Buffer, denominator: number, out: Buffer)");
  if (denominator != 1 && denominator != 2 && denominator != 4 && denominator != 8)
    return fail(env, "the scale denominator must be 1, 2, 4 or 8");

  struct jpeg_decompress_struct c;
  struct guard g;
  char message[96];
  memset(&g, 0, sizeof g);
  memset(&c, 0, sizeof c); /* so that destroying it after an early error is a no-op */
  g.mgr.error_exit = on_error;
  g.mgr.emit_message = on_message;
  g.mgr.output_message = on_output;
  g.mgr.format_message = on_format;
  g.mgr.reset_error_mgr = on_reset;
  c.err = &g.mgr;
  if (setjmp(g.jump)) {
    jpeg_destroy_decompress(&c);
    snprintf(message, sizeof message, "libjpeg-turbo could not decode the JPEG (message %d)", g.code);
    return fail(env, message);
  }
  jpeg_create_decompress(&c);
  jpeg_mem_src(&c, jpeg, (unsigned long)jpeg_length);
  jpeg_read_header(&c, TRUE);
  c.out_color_space = JCS_EXT_RGBX;
  c.scale_num = 1;
  c.scale_denom = denominator;
  jpeg_start_decompress(&c);
  unsigned width = c.output_width, height = c.output_height;
  if ((size_t)width * height * 4 != out_length) {
    jpeg_destroy_decompress(&c);
    snprintf(message, sizeof message, "the output buffer holds %zu bytes, the scaled image %ux%u", out_length, width, height);
    return fail(env, message);
  }
  read_rows(&c, out);
  jpeg_finish_decompress(&c);
  jpeg_destroy_decompress(&c);
  return size_object(env, width, height);
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "decodeScaled", NAPI_AUTO_LENGTH, decode_scaled, NULL, &fn);
  napi_set_named_property(env, exports, "decodeScaled", fn);
  return exports;
}
