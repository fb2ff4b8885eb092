// A token bucket: `rate` tokens per second, at most `burst` saved up. Commands take one token
// each; a client over its rate waits for tokens (its input is paused), it is never dropped.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
  }

  /** Takes up to n whole tokens; returns how many were granted. */
  take(n: number, now: number): number {
    this.refill(now);
    const granted = Math.min(n, Math.floor(this.tokens));
    this.tokens -= granted;
    return granted;
  }

  /** Gives back tokens taken but not used. */
  refund(n: number): void {
    this.tokens = Math.min(this.burst, this.tokens + n);
  }

  /** Milliseconds until n tokens (at most the burst) are available. */
  waitMs(n: number, now: number): number {
    this.refill(now);
    const missing = Math.min(n, this.burst) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.rate);
  }

  get capacity(): number {
    return this.burst;
  }
}
