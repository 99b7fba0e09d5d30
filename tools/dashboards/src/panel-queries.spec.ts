import { describe, expect, it } from '@jest/globals';
import { builtinVariables, panelQueries, substituteVariables, variableQueries } from './panel-queries.js';

describe('panel queries', () => {
  it("are collected from every panel, rows' nested panels included, without hidden ones", () => {
    const queries = panelQueries({
      title: 'd',
      panels: [
        { id: 1, type: 'row', title: 'r', panels: [{ id: 2, title: 'nested', targets: [{ refId: 'A', expr: 'a' }] }] },
        {
          id: 3,
          title: 'p',
          targets: [
            { refId: 'A', expr: 'b' },
            { refId: 'B', expr: 'c', hide: true },
          ],
        },
      ],
    });
    expect(queries.map((query) => `${query.panel}/${query.refId}: ${query.expr}`)).toEqual(['nested/A: a', 'p/A: b']);
  });

  it("get Grafana's interval variables and template variables in every spelling substituted", () => {
    const values = { ...builtinVariables({ rateInterval: '1m', interval: '15s', range: '1h' }), service: '.*' };
    expect(
      substituteVariables(
        'rate(x{service=~"$service"}[$__rate_interval]) + increase(y{s=~"${service}"}[$__range]) + [[service]] + $__range_s',
        values,
      ),
    ).toBe('rate(x{service=~".*"}[1m]) + increase(y{s=~".*"}[1h]) + .* + 3600');
  });

  it('refuse to run with a variable nobody gave a value', () => {
    expect(() => substituteVariables('x{a=~"$unknown"}', {})).toThrow(/\$unknown/);
  });

  it('list the label_values queries of query variables', () => {
    expect(
      variableQueries({
        templating: {
          list: [
            { name: 'datasource', type: 'datasource', query: 'prometheus' },
            { name: 'service', type: 'query', query: 'label_values(mapek_service_up, service)' },
          ],
        },
      }),
    ).toEqual([{ name: 'service', query: 'label_values(mapek_service_up, service)' }]);
  });
});
