/**
 * A pod template as `rollout history --revision` prints it: describe's Pod Template block written
 * through a bare PrefixWriter (upstream's printTemplate), so tabs stay tabs instead of being laid out.
 */
import { describePodTemplate } from '../describe/pod.ts';
import { DescribeWriter } from '../describe/writer.ts';

/** Collects describe output without the tabwriter. */
class RawWriter extends DescribeWriter {
  private raw = '';

  override write(level: number, text: string): void {
    this.raw += '  '.repeat(level) + text;
  }

  override line(text: string): void {
    this.raw += `${text}\n`;
  }

  override toString(): string {
    return this.raw;
  }
}

/** The `Pod Template:` block of `template`, tabs unexpanded. */
export function podTemplateText(template: unknown): string {
  const w = new RawWriter();
  describePodTemplate(w, template);
  return w.toString();
}
