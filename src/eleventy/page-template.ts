/**
 * A page template writing one page per item of a list in the `render` data,
 * at the item's own URL, laid out by a Nunjucks layout. Eleventy 3.1
 * compiles a Nunjucks permalink and body anew for every page; a permalink
 * function and a layout, compiled once, cost nothing per page.
 */
export function onePagePer<Item extends { url: string }>(list: string, alias: string, layout: string) {
  return {
    data: {
      pagination: { data: list, size: 1, alias },
      permalink: (data: Record<string, unknown>) => (data[alias] as Item).url,
      layout,
    },
    render: (): string => "",
  };
}
