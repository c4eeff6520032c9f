/*
 * A stand-in bcryptprimitives.dll for Wine 8, which lacks ProcessPrng. Rust's std (>= 1.78)
 * imports ProcessPrng on Windows, so without this every Rust test binary fails to load under
 * Wine (exit 53). ProcessPrng fills a buffer with random bytes and always succeeds; here it
 * forwards to RtlGenRandom (SystemFunction036 in advapi32), which Wine has.
 * Used only by `cargo xtask test` to run the Windows build of the tests under Wine.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
