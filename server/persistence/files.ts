// Writing a file so that a crash never leaves a half-written one in its place: write to a
// temporary file in the same directory, fsync it, rename it over the target, fsync the
// directory (so the rename itself survives a power loss).

import fs from "node:fs";
import path from "node:path";

let tempCounter = 0;

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `temp-${process.pid}-${++tempCounter}-${path.basename(target)}`);
}

/** Makes a rename or a new file in `dir` durable. Best effort where directories cannot be opened (Windows). */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Not supported on this platform: the rename is still atomic, only its durability waits for the OS.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * Chunks written in order to a temporary file in the background; `commit()` fsyncs it and
 * renames it over the target. Anything that fails removes the temporary file.
 */
export class AtomicFileWriter {
  readonly tempPath: string;
  private readonly fd: number;
  private readonly queue: Buffer[] = [];
  private writing = false;
  private failed: Error | null = null;
  private drained: (() => void)[] = [];
  private closed = false;
  /** Bytes queued and not yet written. */
  backlog = 0;
  /** Bytes written to the file so far. */
  size = 0;

  constructor(readonly target: string) {
    this.tempPath = tempPathFor(target);
    this.fd = fs.openSync(this.tempPath, "w", 0o600);
  }

  /** Queues a chunk (the background writer owns it from now on). */
  write(chunk: Buffer): void {
    if (this.failed || this.closed) return;
    this.queue.push(chunk);
    this.backlog += chunk.length;
    if (!this.writing) this.pump();
  }

  /** Writes a chunk at once, after everything queued (the final, synchronous part of a save). */
  writeSync(chunk: Buffer): void {
    this.flushSync();
    // Positional, like the background writes: they never move the file offset.
    let off = 0;
    while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off, this.size + off);
    this.size += chunk.length;
  }

  /** Writes everything queued now, synchronously. */
  flushSync(): void {
    if (this.failed) throw this.failed;
    // A background write may be in flight: its chunk is no longer in the queue, and writes to
    // one fd from two places would interleave. Positional writes keep each at its own offset.
    while (this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      let off = 0;
      while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off, this.size + off);
      this.size += chunk.length;
      this.backlog -= chunk.length;
    }
  }

  private pump(): void {
    const chunk = this.queue.shift();
    if (chunk === undefined) {
      this.writing = false;
      const waiting = this.drained;
      this.drained = [];
      for (const w of waiting) w();
      return;
    }
    this.writing = true;
    const at = this.size;
    this.size += chunk.length;
    const writeFrom = (off: number): void => {
      fs.write(this.fd, chunk, off, chunk.length - off, at + off, (err, n) => {
        if (err) {
          this.fail(err);
          return;
        }
        if (off + n < chunk.length) return writeFrom(off + n);
        this.backlog -= chunk.length;
        this.pump();
      });
    };
    writeFrom(0);
  }

  private fail(err: Error): void {
    this.failed ??= err;
    this.writing = false;
    this.queue.length = 0;
    const waiting = this.drained;
    this.drained = [];
    for (const w of waiting) w();
  }

  /** Resolves once everything queued is written (or the writer failed). */
  drain(): Promise<void> {
    if (!this.writing && this.queue.length === 0) return this.failed ? Promise.reject(this.failed) : Promise.resolve();
    return new Promise<void>((resolve, reject) => this.drained.push(() => (this.failed ? reject(this.failed) : resolve())));
  }

  /** Waits for the queue, fsyncs in the background. The file is not yet in place: see commitSync. */
  async syncData(): Promise<void> {
    await this.drain();
    await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
  }

  /** fsync (if `sync`), close, rename over the target and make the rename durable. */
  commitSync(sync = true): void {
    if (this.writing) throw new Error("a background write is still in flight: drain() first");
    this.flushSync();
    if (sync) fs.fdatasyncSync(this.fd);
    this.closed = true;
    fs.closeSync(this.fd);
    fs.renameSync(this.tempPath, this.target);
    fsyncDir(path.dirname(this.target));
  }

  /** Gives up: closes and removes the temporary file. */
  abandon(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    fs.rmSync(this.tempPath, { force: true });
  }
}
