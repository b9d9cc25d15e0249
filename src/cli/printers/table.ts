// `-w table` (etcdctl's printer_table.go): only member list, endpoint health/status/hashkv and snapshot status.
import type { MemberListResponse } from '../../api/wire-types.generated.js';
import type { OutputStream } from '../io.js';
import { PLAIN, type Paint } from '../paint.js';
import type { DBStatus, EndpointHashKV, EndpointHealth, EndpointStatus } from './printer.js';
import {
  dbStatusTable,
  endpointHashKVTable,
  endpointHealthTable,
  endpointStatusTable,
  memberListTable,
  type Rows,
} from './rows.js';
import { renderTable } from './tablewriter.js';
import { UnsupportedPrinter } from './unsupported.js';

export class TablePrinter extends UnsupportedPrinter {
  constructor(
    private readonly out: OutputStream,
    private readonly paint: Paint = PLAIN,
  ) {
    super('table');
  }
  private render({ header, rows }: Rows): void {
    this.out.write(renderTable(header, rows, this.paint.header));
  }
  override memberList(r: MemberListResponse): void {
    this.render(memberListTable(r));
  }
  override endpointHealth(list: EndpointHealth[]): void {
    this.render(endpointHealthTable(list));
  }
  override endpointStatus(list: EndpointStatus[]): void {
    this.render(endpointStatusTable(list));
  }
  override endpointHashKV(list: EndpointHashKV[]): void {
    this.render(endpointHashKVTable(list));
  }
  override dbStatus(s: DBStatus): void {
    this.render(dbStatusTable(s));
  }
}
