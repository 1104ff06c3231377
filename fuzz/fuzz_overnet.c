/*
 * fuzz_overnet.c - libFuzzer harness for the Overnet decoder (p2p/overnet.c)
 * and the XOR variant.  Input: byte 0 selects plain (even) or XORed with
 * a fixed key (odd); the rest is one UDP payload, copied into a heap
 * buffer of exactly its length so AddressSanitizer sees any overread.
 * A message that decodes must re-encode to the same bytes.
 */
#include "p2p/p2p.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const uint8_t key[OV_XOR_KEYLEN] = { 0x3c, 0x91, 0x05, 0xee, 0x42, 0x17, 0xa8, 0x60 };
	bool xored = data[0] & 1;
	data++;
	size--;
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (xored)
		ov_xor(buf, size, key);
	struct ov_msg m;
	if (ov_decode(buf, size, &m) == OV_OK) {
		for (uint16_t i = 0; i < m.npeers; i++) {
			struct ov_peer p;
			ov_peer_get(&m, i, &p);
		}
		uint8_t *out = malloc(size);
		if (out) {
			size_t n = ov_encode(&m, out, size);
			if (n != size || memcmp(out, buf, size) != 0)
				abort();  /* decode and encode must be exact inverses */
			free(out);
		}
		(void)ov_op_name(m.op);
	}
	free(buf);
	return 0;
}
