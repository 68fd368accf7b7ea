import { invalidField } from '../../lib/errors.js';
import type { OptionValueRow, VariantRow } from './variants.repository.js';
import { MAX_VARIANTS, type ProductOption } from './variants.schemas.js';

/** What a variant without options is called (the one a product made the seed way has). */
export const DEFAULT_VARIANT_TITLE = 'Default';

/** A product's option as the combination rules need it: position 1-3 and its values with ids. */
export interface OptionDef {
  id: number;
  name: string;
  position: number;
  values: Array<{ id: number; value: string }>;
}

/** Where a variant's option values are stored: one value id per option position. */
export interface Combination {
  option1_value_id: number | null;
  option2_value_id: number | null;
  option3_value_id: number | null;
  option_key: string;
  title: string;
}

/** Option rows (one per value) grouped into each product's options, in position order. */
export function groupOptions(rows: readonly OptionValueRow[]): Map<number, OptionDef[]> {
  const byProduct = new Map<number, OptionDef[]>();
  for (const row of rows) {
    const options = byProduct.get(row.product_id) ?? [];
    byProduct.set(row.product_id, options);
    let option = options.at(-1);
    if (option?.id !== row.option_id) {
      option = { id: row.option_id, name: row.name, position: row.position, values: [] };
      options.push(option);
    }
    if (row.value_id !== null && row.value !== null)
      option.values.push({ id: row.value_id, value: row.value });
  }
  return byProduct;
}

export const optionJson = (option: OptionDef): ProductOption => ({
  id: option.id,
  name: option.name,
  values: option.values.map((v) => v.value),
});

/** {Color: "Red", Size: "M"} of a stored variant. */
export function optionValuesOf(variant: VariantRow, options: readonly OptionDef[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const option of options) {
    const id = valueIdAt(variant, option.position);
    const value = option.values.find((v) => v.id === id);
    if (value) result[option.name] = value.value;
  }
  return result;
}

export const valueIdAt = (
  v: Pick<Combination, 'option1_value_id' | 'option2_value_id' | 'option3_value_id'>,
  n: number,
) => (n === 1 ? v.option1_value_id : n === 2 ? v.option2_value_id : v.option3_value_id);

/** The stored form of a combination of value ids by position (the default variant's is all null). */
export function combinationOf(
  options: readonly OptionDef[],
  valueIds: ReadonlyMap<number, number>,
): Combination {
  const ids = options.map((o) => valueIds.get(o.position)!);
  const values = options.map((o, i) => o.values.find((v) => v.id === ids[i])!.value);
  const at = (n: number) => valueIds.get(n) ?? null;
  return {
    option1_value_id: at(1),
    option2_value_id: at(2),
    option3_value_id: at(3),
    option_key: ids.join('/'),
    title: values.length === 0 ? DEFAULT_VARIANT_TITLE : values.join(' / '),
  };
}

/**
 * Reads `{Color: "Red", Size: "M"}` against the product's options: it must name exactly the
 * product's options, each with one of its values (names and values match whatever their case).
 */
export function resolveCombination(
  options: readonly OptionDef[],
  given: Readonly<Record<string, string>>,
  path: string,
): Combination {
  const valueIds = new Map<number, number>();
  for (const [name, value] of Object.entries(given)) {
    const option = options.find((o) => o.name.toLowerCase() === name.toLowerCase());
    if (!option) {
      const names = options.map((o) => o.name).join(', ') || 'none';
      throw invalidField(`${path}/${name}`, `is not an option of this product (its options: ${names})`);
    }
    const found = option.values.find((v) => v.value.toLowerCase() === value.toLowerCase());
    if (!found) {
      throw invalidField(
        `${path}/${name}`,
        `"${value}" is not a value of ${option.name} (${option.values.map((v) => v.value).join(', ')}); add it to the option first`,
      );
    }
    valueIds.set(option.position, found.id);
  }
  const missing = options.filter((o) => !valueIds.has(o.position)).map((o) => o.name);
  if (missing.length > 0) throw invalidField(path, `must give a value for ${missing.join(', ')}`);
  return combinationOf(options, valueIds);
}

/** Every combination of the options' values, first option slowest (Red/S, Red/M, Blue/S, ...). */
export function everyCombination(options: readonly OptionDef[]): Combination[] {
  const count = options.reduce((n, o) => n * o.values.length, 1);
  if (count > MAX_VARIANTS) {
    throw invalidField(
      '/options',
      `make ${count} combinations; a product has at most ${MAX_VARIANTS} variants`,
    );
  }
  let partial: Array<Map<number, number>> = [new Map()];
  for (const option of options) {
    partial = partial.flatMap((ids) => option.values.map((v) => new Map(ids).set(option.position, v.id)));
  }
  return partial.map((ids) => combinationOf(options, ids));
}

/** Names repeated regardless of case, e.g. two "Size" options or "Red" twice. */
export function firstRepeated(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key)) return name;
    seen.add(key);
  }
  return undefined;
}
