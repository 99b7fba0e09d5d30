import { Controller, Get, Header } from '@nestjs/common';
import { openApiDocument } from './openapi.document.js';

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

@Controller('docs')
export class DocsController {
  @Get('openapi.json')
  document(): unknown {
    return openApiDocument;
  }

  /** A self-contained page (no external assets): each operation with its summary. */
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    const rows = Object.entries(openApiDocument.paths)
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(
          ([method, operation]) =>
            `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape((operation as { summary: string }).summary)}</td></tr>`,
        ),
      )
      .join('');
    return `<!doctype html><html><head><meta charset="utf-8"><title>mapek API</title></head><body><h1>${escape(openApiDocument.info.title)} ${openApiDocument.info.version}</h1><p>${escape(openApiDocument.info.description)}</p><p>OpenAPI: <a href="/docs/openapi.json">/docs/openapi.json</a></p><table>${rows}</table></body></html>`;
  }
}
