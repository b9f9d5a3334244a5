/**
 * Neumaier's compensated summation. Attribution adds thousands of small products (s_j / n · share ·
 * weight) into each step; plain addition drifts by ~n·ε, compensation keeps Σ_t N_t equal to r_global
 * to a few ulps, which is what the conservation law is tested to (1e-12).
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const total = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - total + value;
    else this.compensation += value - total + this.sum;
    this.sum = total;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

export function compensatedTotal(values: Iterable<number>): number {
  const sum = new CompensatedSum();
  for (const value of values) sum.add(value);
  return sum.value;
}
