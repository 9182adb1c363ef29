// The workspace of a batch of lanes: regions of 5 limb rows of stride
// lanes each, limb l of lane c at r*5*stride + l*stride + c.
#include <stdint.h>

enum {
	REGION_X = 0,     // x of the accumulators: region 0 or 2 (cur)
	REGION_Y = 1,     // y: region 1 or 3
	REGION_QX = 4,    // the points added in a round
	REGION_QY = 5,
	REGION_TREE = 6,  // the product tree of the denominators
	REGION_INV = 7,   // its inverses
	REGIONS = 8,
};

int64_t kairo_ifma_up(uint64_t *ws, int64_t stride, int64_t cur, const uint64_t *pts, const uint8_t *neg,
		      uint8_t *failed, int64_t m);
void kairo_ifma_down(uint64_t *ws, int64_t stride, int64_t cur, int64_t m, const uint64_t *next, int64_t nnext);
void kairo_ifma_prefetch(const uint64_t *pts, int64_t n);
