/* Static web pages from a folder: the staff pages of lianxiao-signaling, the teacher's console of
 * lianxiao-sender. */
#pragma once

#include <libsoup/soup.h>

/* Answers a GET or HEAD of @path with the file of that name under @root ("/" is index.html), or
 * 404. Only plain names below the root are served: no "..", no hidden files. */
void lx_web_files_serve (SoupServerMessage *message, const char *root, const char *path);
