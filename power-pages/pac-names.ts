// How pac names folders and files after a record's name. File names are cosmetic (pac keys records
// by the GUID inside), but matching the convention keeps a folder readable and diffs small.

/** Folder name: lower-cased, spaces to `-`, characters a file system rejects dropped. */
export function toPacFolderName(name: string): string {
  return toPacFileName(name).toLowerCase();
}

/** File name stem: spaces to `-`, case kept, characters a file system rejects dropped. */
export function toPacFileName(name: string): string {
  return name
    .trim()
    .replace(/[\\/:*?"<>|]/g, "")
    .replace(/\s/g, "-");
}
