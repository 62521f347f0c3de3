#ifndef ECI_CNGHTTP2_SHIM_H
#define ECI_CNGHTTP2_SHIM_H

// nghttp2's whole public API imports into Swift as is (functions, enums, the nghttp2_frame and
// nghttp2_data_source unions, callback typedefs), so no inline shims are needed here.
#include <nghttp2/nghttp2.h>

#endif
