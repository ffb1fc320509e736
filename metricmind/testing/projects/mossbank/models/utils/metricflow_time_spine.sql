select cast(d as date) as date_day
from generate_series(cast('2015-01-01' as timestamp), cast('2027-12-31' as timestamp), interval '1 day') as g(d)
