"""Excel import of enterprises and experts: the template, reading, per-cell normalisation and
validation. Nothing here writes: `services.import_enterprises` / `services.import_experts` take
what `read_enterprises` / `read_experts` return and write it in one transaction.

Every problem is collected, never only the first, so a clerk can fix the whole file in one pass.
A problem names the row as Excel numbers it, the column letter and header, and says in Chinese
what is wrong and how to put it right.

Files are read with python-calamine (a Rust reader) rather than openpyxl: on 100,000 rows it is
about twenty times faster, and it also reads the old .xls format clerks still receive.

The package, by concept (dependencies run downwards only):
- `problems`     Problem, Problems, CellError, FileProblem;
- `cells`        the pure cell normalisers (text, integer, yes/no, dates, codes, bounded text);
- `lookups`      townships, industries and providers indexed once per import;
- `reader`       the workbook: `open_upload` (the one entry point), header layout, row blocks;
- `enterprises`  the enterprise file: columns, parsers, `read_enterprises`, export columns;
- `experts`      the expert file: columns, parsers, `read_experts`, export columns;
- `template`     the blank templates clerks fill in.
Everything public is re-exported here, so `from hazardloop.registry import imports` keeps working.
"""

from .cells import (  # noqa: F401
    DATE_PATTERNS,
    EXCEL_EPOCH,
    EXCEL_SERIAL_RANGE,
    FALSE_WORDS,
    ID_CHECK,
    ID_WEIGHTS,
    LATITUDE,
    LIST_SEPARATORS,
    LONGITUDE,
    MAX_POSITIVE_INT,
    PHONE_PATTERN,
    SIX_PLACES,
    TRUE_WORDS,
    YEAR_MONTH,
    bounded,
    choice_parser,
    coordinate,
    credit_code,
    date,
    id_number,
    id_number_problem,
    integer,
    is_blank,
    max_lengths,
    phone,
    shown,
    split_list,
    text,
    yes_no,
)
from .enterprises import (  # noqa: F401
    CODE_INDEX,
    ENTERPRISE_COLUMNS,
    ENTERPRISE_EXPORT_ONLY,
    ENTERPRISE_FIELDS,
    ENTERPRISE_SHEET,
    TOWNSHIP_INDEX,
    YES_NO_HELP,
    enterprise_export_columns,
    enterprise_parsers,
    read_enterprises,
)
from .experts import (  # noqa: F401
    BASE_KEYS,
    DEFAULT_CONFLICT_REASON,
    EXPERT_COLUMNS,
    EXPERT_EXPORT_ONLY,
    EXPERT_SHEET,
    KEEP_PHONE,
    ExpertRow,
    expert_export_columns,
    expert_parsers,
    read_experts,
)
from .lookups import (  # noqa: F401
    IndustryIndex,
    ProviderIndex,
    TownshipIndex,
)
from .problems import (  # noqa: F401
    MAX_PROBLEMS_KEPT,
    CellError,
    FileProblem,
    Problem,
    Problems,
    Progress,
)
from .reader import (  # noqa: F401
    BAD,
    BLOCK_ROWS,
    HEADER_SEARCH_ROWS,
    MAX_XML_BYTES_PER_ROW,
    MEMO_LIMIT,
    PROGRESS_EVERY,
    ROW_TAG,
    ColumnSpec,
    Layout,
    ParsedFile,
    Sheet,
    blocks,
    collector_paused,
    column_of,
    count_rows,
    find_layout,
    header_key,
    iterate_data,
    open_sheet,
    open_upload,
    parse_block,
    row_values,
)
from .template import (  # noqa: F401
    HEADER_FILL,
    HEADER_FONT,
    REQUIRED_FONT,
    TEMPLATE_ROWS,
    TEXT_FORMAT,
    enterprise_template,
    expert_template,
    yes_no_entries,
)
