"""The report kinds, one module per data source; importing this package imports every
module in it, and each module registers its kinds (`portal.reports.kinds.report`)."""
import pkgutil
from importlib import import_module

for _module in pkgutil.iter_modules(__path__):
    import_module(f"{__name__}.{_module.name}")
