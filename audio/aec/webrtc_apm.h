// The C interface of webrtc_apm.cc (build tag webrtcaec).
#ifdef __cplusplus
extern "C" {
#endif
typedef struct apm apm;
apm *apm_new(int rate, int suppression);
int apm_process(apm *a, const short *far, const short *near, short *out, int delay_ms);
void apm_free(apm *a);
#ifdef __cplusplus
}
#endif
