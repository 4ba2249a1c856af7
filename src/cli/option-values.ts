/**
 * The values an option takes, where they are a short list (formats, presets): what shell
 * completion offers after the option. An option with commander `.choices()` has its list already;
 * the others (checked by bn itself, for a better message) say theirs here, from the registry the
 * check reads, so that a format or preset added there is offered without another edit.
 */
import type { Argument, Option } from 'commander';

const lists = new WeakMap<Option, () => readonly string[]>();

/** Mark `option` as taking one of `values()` (read when a completion script is made). */
export function takesValues(option: Option, values: () => readonly string[]): Option {
  lists.set(option, values);
  return option;
}

/** The values of an option or argument, or undefined when it takes any text. */
export function valuesOf(item: Option | Argument): readonly string[] | undefined {
  return ('flags' in item ? lists.get(item)?.() : undefined) ?? item.argChoices;
}
