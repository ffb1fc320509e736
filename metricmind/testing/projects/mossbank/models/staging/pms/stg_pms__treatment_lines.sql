select
    TX_LINE_ID as tx_line_key,
    APPT_NO as appt_key,
    PROC_CD as procedure_code,
    QTY as quantity,
    FEE_AMT as fee_gbp,
    DISC_AMT as discount_gbp,
    FEE_AMT - DISC_AMT as net_fee_gbp
from {{ source('pms', 'TX_LINE') }}
