// The static-site upload: drop a folder, files or a ready .tar.gz on the zone, or choose files
// with the button (the keyboard's way). Files are packed in the browser and sent as one archive.
import { useState } from 'hono/jsx/dom';
import { gzip, stripCommonFolder, tar, type SiteFile } from './tar-gzip.js';

async function readEntry(entry: FileSystemEntry, prefix: string, out: SiteFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: `${prefix}${entry.name}`, data: new Uint8Array(await file.arrayBuffer()) });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const child of batch) await readEntry(child, `${prefix}${entry.name}/`, out);
  }
}

/** A ready archive is sent as it is; anything else is packed. */
export async function archiveOf(files: SiteFile[]): Promise<Blob> {
  const only = files.length === 1 ? files[0] : undefined;
  if (only && /\.(tar\.gz|tgz)$/i.test(only.path)) return new Blob([only.data as Uint8Array<ArrayBuffer>], { type: 'application/gzip' });
  return gzip(tar(stripCommonFolder(files)));
}

export function SiteDrop(props: { onFiles(files: SiteFile[]): void; disabled?: boolean }) {
  const [over, setOver] = useState(false);
  const [picked, setPicked] = useState<string>('');
  const take = (files: SiteFile[]) => {
    setPicked(`${files.length} file${files.length === 1 ? '' : 's'}: ${files.slice(0, 3).map((f) => f.path).join(', ')}${files.length > 3 ? ', …' : ''}`);
    props.onFiles(files);
  };
  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const out: SiteFile[] = [];
    const items = [...(e.dataTransfer?.items ?? [])].map((i) => i.webkitGetAsEntry?.()).filter((x): x is FileSystemEntry => !!x);
    if (items.length) for (const entry of items) await readEntry(entry, '', out);
    else for (const f of [...(e.dataTransfer?.files ?? [])]) out.push({ path: f.name, data: new Uint8Array(await f.arrayBuffer()) });
    if (out.length) take(out);
  };
  const onPick = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const out: SiteFile[] = [];
    for (const f of [...(input.files ?? [])]) out.push({ path: f.webkitRelativePath || f.name, data: new Uint8Array(await f.arrayBuffer()) });
    if (out.length) take(out);
  };
  return (
    <div
      class={`drop ${over ? 'over' : ''}`}
      data-testid="site-drop"
      onDragOver={(e: DragEvent) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p>Drop the site's folder, its files, or a .tar.gz here</p>
      <label>
        or choose files <input type="file" name="site" multiple disabled={props.disabled} onChange={onPick} />
      </label>
      {picked && <p class="small" aria-live="polite">{picked}</p>}
    </div>
  );
}
