/* SPDX-License-Identifier: Apache-2.0
 * Embeds src/store/internal/body_dictionary_1.zdict, the zstd dictionary of
 * body codec 0x02 (store/SCHEMA.md "Body encoding"), in the binary. CMake
 * passes the file's absolute path, quoted, as MAMORI_BODY_DICTIONARY_1_FILE
 * and lists it in OBJECT_DEPENDS. The file was written by
 * scripts/body-dictionary/make_dictionary.py and must never change. */

        .section .rodata.mamori_body_dictionary_1, "a"
        .balign 16
        .global mamori_body_dictionary_1_begin
        .global mamori_body_dictionary_1_end
        .hidden mamori_body_dictionary_1_begin
        .hidden mamori_body_dictionary_1_end
mamori_body_dictionary_1_begin:
        .incbin MAMORI_BODY_DICTIONARY_1_FILE
mamori_body_dictionary_1_end:
        .byte 0

        /* No executable stack. */
        .section .note.GNU-stack, "", @progbits
