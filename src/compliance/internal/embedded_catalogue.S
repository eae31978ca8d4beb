/* SPDX-License-Identifier: Apache-2.0
 * Embeds src/compliance/data/catalogue.json in the binary (see
 * embedded_catalogue.h), as src/fhir embeds its definitions. CMake passes the
 * file's absolute path, quoted, as MAMORI_COMPLIANCE_CATALOGUE_FILE and lists
 * it in OBJECT_DEPENDS, so regenerating the data reassembles this object. */

        .section .rodata.mamori_compliance_catalogue, "a"
        .balign 16
        .global mamori_compliance_catalogue_begin
        .global mamori_compliance_catalogue_end
        .hidden mamori_compliance_catalogue_begin
        .hidden mamori_compliance_catalogue_end
mamori_compliance_catalogue_begin:
        .incbin MAMORI_COMPLIANCE_CATALOGUE_FILE
mamori_compliance_catalogue_end:
        .byte 0

        /* No executable stack. */
        .section .note.GNU-stack, "", @progbits
