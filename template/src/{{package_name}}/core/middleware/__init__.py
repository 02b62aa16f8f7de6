"""Pure ASGI middleware, one concern per module; the app's middleware list fixes their order.

A request waiting on I/O (the database, Redis) is a chain of coroutines, each awaiting the next, and every time it
resumes Python re-enters every frame of that chain. So a layer that only changes the request, or wraps `receive` or
`send`, does not await the next layer: its `__call__` is a plain method that returns the next layer's awaitable
(`def __call__(...) -> Awaitable[None]`), the way a tail call would, and it costs nothing while the request waits.
Only a layer with work to do once the app has finished (the access line of a request that failed, the error
handler's 500, the request id's context variable reset) is an `async def` on the chain. Both kinds are ASGI
applications to whoever awaits them.
"""
