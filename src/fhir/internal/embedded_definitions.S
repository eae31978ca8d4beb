/* SPDX-License-Identifier: Apache-2.0
 * Embeds src/fhir/data/r4_definitions.json in the binary (see
 * embedded_definitions.h). CMake passes the file's absolute path, quoted, as
 * MAMORI_FHIR_DEFINITIONS_FILE and lists it in OBJECT_DEPENDS, so editing the
 * data file reassembles this object. ccache does not cache .incbin sources. */

        .section .rodata.mamori_fhir_r4_definitions, "a"
        .balign 16
        .global mamori_fhir_r4_definitions_begin
        .global mamori_fhir_r4_definitions_end
        .hidden mamori_fhir_r4_definitions_begin
        .hidden mamori_fhir_r4_definitions_end
mamori_fhir_r4_definitions_begin:
        .incbin MAMORI_FHIR_DEFINITIONS_FILE
mamori_fhir_r4_definitions_end:
        .byte 0

        /* No executable stack. */
        .section .note.GNU-stack, "", @progbits
