"""The scenario's schedule of policy: lever values that take effect on a date (seed ¶6-8)."""

from __future__ import annotations

from sovsim.world.build import schedule_table
from sovsim.world.module import Module
from sovsim.world.state import World


class Schedule(Module):
    """Scheduled policy values of the scenario, applied in date order."""

    def init(self, world: World) -> None:
        self.table = schedule_table(world.scenario)
        self.next = 0

    def apply_schedule(self, world: World) -> None:
        """Scheduled policy values of the scenario take effect (seed ¶6-8: reforms by date)."""
        while self.next < len(self.table) and self.table[self.next][0] <= world.clock.month:
            _, r, lever, value = self.table[self.next]
            world.lever[lever][r] = value
            self.next += 1
