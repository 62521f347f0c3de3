#ifndef ECI_CCURL_SHIM_H
#define ECI_CCURL_SHIM_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>

// curl_easy_setopt, curl_easy_getinfo and curl_global_init take variadic arguments or macro flags,
// which Swift cannot call or import. These typed wrappers pass one argument of a fixed type each.

/// curl_global_init(CURL_GLOBAL_DEFAULT): the flag is a macro expression Swift does not import.
static inline CURLcode eci_curl_global_init_default(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

/// curl_easy_setopt for options that take a `long`.
static inline CURLcode eci_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for options that take a C string (libcurl copies it).
static inline CURLcode eci_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for options that take an untyped pointer (callback user data, error buffer).
static inline CURLcode eci_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for header lists.
static inline CURLcode eci_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for `curl_off_t` options (request body size).
static inline CURLcode eci_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for in-memory PEM blobs; libcurl copies the bytes (CURL_BLOB_COPY is a macro).
static inline CURLcode eci_curl_easy_setopt_blob_copy(CURL *handle, CURLoption option, void *data, size_t length) {
    struct curl_blob blob = { data, length, CURL_BLOB_COPY };
    return curl_easy_setopt(handle, option, &blob);
}

/// CURLOPT_WRITEFUNCTION with its callback type spelled out.
static inline CURLcode eci_curl_easy_set_write_function(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

/// CURLOPT_XFERINFOFUNCTION with its callback type spelled out.
static inline CURLcode eci_curl_easy_set_xferinfo_function(CURL *handle, curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

/// curl_easy_getinfo for `long` results (response code).
static inline CURLcode eci_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// Locks for a share handle: one mutex per kind of shared data, passed as the lock callbacks' user data.
struct eci_curl_share_locks {
    pthread_mutex_t mutexes[CURL_LOCK_DATA_LAST];
};

static void eci_curl_share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *userptr) {
    (void)handle;
    (void)access;
    pthread_mutex_lock(&((struct eci_curl_share_locks *)userptr)->mutexes[data]);
}

static void eci_curl_share_unlock(CURL *handle, curl_lock_data data, void *userptr) {
    (void)handle;
    pthread_mutex_unlock(&((struct eci_curl_share_locks *)userptr)->mutexes[data]);
}

/// A share handle that lets easy handles on any thread share TLS sessions and DNS answers (so a new
/// connection resumes a TLS session instead of a full handshake); NULL when libcurl refuses.
/// `*locks` receives the mutexes to pass to `eci_curl_share_free`.
static inline CURLSH *eci_curl_share_new(void **locks) {
    struct eci_curl_share_locks *mutexes = (struct eci_curl_share_locks *)malloc(sizeof *mutexes);
    if (mutexes == NULL) return NULL;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&mutexes->mutexes[i], NULL);
    CURLSH *share = curl_share_init();
    if (share == NULL
        || curl_share_setopt(share, CURLSHOPT_LOCKFUNC, eci_curl_share_lock) != CURLSHE_OK
        || curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, eci_curl_share_unlock) != CURLSHE_OK
        || curl_share_setopt(share, CURLSHOPT_USERDATA, (void *)mutexes) != CURLSHE_OK
        || curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK
        || curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
        if (share != NULL) curl_share_cleanup(share);
        for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&mutexes->mutexes[i]);
        free(mutexes);
        return NULL;
    }
    *locks = mutexes;
    return share;
}

/// Frees a share handle from `eci_curl_share_new` once no easy handle uses it any more.
static inline void eci_curl_share_free(CURLSH *share, void *locks) {
    curl_share_cleanup(share);
    struct eci_curl_share_locks *mutexes = (struct eci_curl_share_locks *)locks;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&mutexes->mutexes[i]);
    free(mutexes);
}

/// CURLOPT_SHARE.
static inline CURLcode eci_curl_easy_setopt_share(CURL *handle, CURLSH *share) {
    return curl_easy_setopt(handle, CURLOPT_SHARE, share);
}

#endif
