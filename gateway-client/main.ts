// Entry point of the attendee's gateway page script (bundled into one IIFE and inlined by the build).
export {};
