/** Tiny DOM helpers: elements are built with text nodes only, never from HTML strings. */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces every child of the element with the ones given. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString(undefined, { hour12: false });
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toLocaleDateString()} ${date.toLocaleTimeString(undefined, { hour12: false })}`;
}

export function num(value: unknown, digits = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** A small coloured label; the colour only repeats what the text says. */
export function badge(text: string, tone: 'ok' | 'warn' | 'bad' | 'info' | 'muted' = 'info'): HTMLSpanElement {
  return h('span', { class: `badge badge-${tone}` }, text);
}

export function toneOf(value: string | null | undefined): 'ok' | 'warn' | 'bad' | 'info' | 'muted' {
  switch (value) {
    case 'success':
    case 'completed':
    case 'approved':
    case 'pass':
    case 'closed':
    case 'chosen':
      return 'ok';
    case 'partial':
    case 'pending':
    case 'in_progress':
    case 'hold':
    case 'modify':
    case 'open':
    case 'warning':
      return 'warn';
    case 'failed':
    case 'rolled_back':
    case 'rejected':
    case 'expired':
    case 'ineffective':
    case 'degradation':
    case 'critical':
      return 'bad';
    case null:
    case undefined:
      return 'muted';
    default:
      return 'info';
  }
}
