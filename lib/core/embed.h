/* Files built into the programs with the assembler's .incbin, so that the
 * binaries need no install paths (lib/vocab/data.c for data/, searchd/page.c
 * for the search page).  Paths are relative to the repository root, where
 * make runs the compiler; the Makefile makes each object depend on its
 * files. */
#ifndef CS_EMBED_H
#define CS_EMBED_H

/* Define the hidden read-only symbol sym as the whole of file followed by
 * one NUL, so that it reads as a C string; declare it elsewhere as
 * `extern const char sym[];`. */
#define CS_EMBED(sym, file)                                                  \
    __asm__(".section .rodata\n"                                             \
            ".global " #sym "\n"                                             \
            ".hidden " #sym "\n"                                             \
            ".type " #sym ", @object\n"                                      \
            ".balign 16\n" #sym ":\n"                                        \
            ".incbin \"" file "\"\n"                                         \
            ".byte 0\n"                                                      \
            ".size " #sym ", . - " #sym "\n"                                 \
            ".previous\n")

#endif
