import asyncio

from cog import BaseRunner, Input


class Runner(BaseRunner):
    async def setup(self) -> None:
        await asyncio.sleep(0)
        self.prefix = "async"

    async def run(
        self,
        name: str = Input(description="Who to greet"),
        delay: float = Input(description="Seconds to wait first", default=0.0, ge=0.0, le=5.0),
    ) -> str:
        await asyncio.sleep(delay)
        return f"{self.prefix} hello {name}"
