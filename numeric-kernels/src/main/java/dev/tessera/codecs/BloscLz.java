package dev.tessera.codecs;

/**
 * BloscLZ, Blosc's own LZ77 codec (a FastLZ descendant), decoded in Java: a control byte either starts a literal
 * run of {@code (ctrl & 31) + 1} bytes or a match of length {@code (ctrl >> 5) + 2} (extended by 255-bytes) at a
 * 13-bit distance (or, escaped, a 16-bit one beyond 8191). Every read and write is bounds-checked.
 */
final class BloscLz {
    private static final int MAX_DISTANCE = 8191;

    private BloscLz() {
    }

    /** Decodes {@code in[inOff, inOff + inLen)} into {@code out[outOff, outOff + outMax)}; returns the bytes written. */
    static int decode(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outMax) {
        if (inLen == 0) {
            return 0;
        }
        int ip = inOff;
        int ipLimit = inOff + inLen;
        int op = outOff;
        int opLimit = outOff + outMax;
        int ctrl = in[ip++] & 31;
        while (true) {
            if (ctrl >= 32) {
                int len = (ctrl >>> 5) - 1;
                int ofs = (ctrl & 31) << 8;
                int ref = op - ofs;
                int code;
                if (len == 7 - 1) {
                    do {
                        if (ip + 1 >= ipLimit) {
                            throw malformed("a match length runs past the input");
                        }
                        code = in[ip++] & 0xFF;
                        len += code;
                    } while (code == 255);
                } else if (ip + 1 >= ipLimit) {
                    throw malformed("a match runs past the input");
                }
                code = in[ip++] & 0xFF;
                len += 3;
                ref -= code;
                if (code == 255 && ofs == (31 << 8)) {
                    if (ip + 1 >= ipLimit) {
                        throw malformed("a long match distance runs past the input");
                    }
                    ofs = (in[ip++] & 0xFF) << 8;
                    ofs += in[ip++] & 0xFF;
                    ref = op - ofs - MAX_DISTANCE;
                }
                if (op + len > opLimit) {
                    throw malformed("a match writes past the " + outMax + "-byte output");
                }
                if (ref - 1 < outOff) {
                    throw malformed("a match refers before the start of the output");
                }
                if (ip >= ipLimit) {
                    break;
                }
                ctrl = in[ip++] & 0xFF;
                ref--;
                for (int i = 0; i < len; i++) { // byte by byte: a match may overlap its own output
                    out[op + i] = out[ref + i];
                }
                op += len;
            } else {
                ctrl++;
                if (op + ctrl > opLimit || ip + ctrl > ipLimit) {
                    throw malformed("a literal run passes the end of the input or output");
                }
                System.arraycopy(in, ip, out, op, ctrl);
                op += ctrl;
                ip += ctrl;
                if (ip >= ipLimit) {
                    break;
                }
                ctrl = in[ip++] & 0xFF;
            }
        }
        return op - outOff;
    }

    private static CorruptDataException malformed(String why) {
        return new CorruptDataException("blosclz data is malformed: " + why);
    }
}
