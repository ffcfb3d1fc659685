/**
 * The Lua script behind RedisLimiterStore: one atomic call that applies refunds and the
 * pending reputation change, then checks every tier's sliding window log and records the
 * request in all of them or in none. Redis runs a script without interleaving other
 * commands, so concurrent requests can never both take the last unit.
 *
 * Layout of a tier: a sorted set of entries scored by their time in milliseconds, each
 * member `<entryId>:<units>`, and a counter with the sum of their units (so a decision
 * does not add up the whole window). Both expire a window after the last write.
 *
 * KEYS: reputation key, then (log, sum) per tier, then (log, sum) per refund.
 * ARGV: entryId, tierCount, refundCount, hasReputation, reputationDelta, violationPenalty,
 *       initialReputation, formulaOffset, formulaSlope, reputationTtlMs,
 *       then (limit, windowMs, units, record, adaptive) per tier,
 *       then (entryId, chargedUnits, refundUnits) per refund.
 * Returns: allowed, retryAfterMs, reputation (a string: Lua numbers become integers),
 *          then (limit, remaining, resetMs, allowed) per tier.
 */
export const TIER_ARGUMENTS = 5;
export const REFUND_ARGUMENTS = 3;
export const HEADER_ARGUMENTS = 10;

export const SLIDING_WINDOW_SCRIPT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

local entryId = ARGV[1]
local tierCount = tonumber(ARGV[2])
local refundCount = tonumber(ARGV[3])
local hasReputation = ARGV[4] == '1'

local function unitsOf(member)
  return tonumber(string.match(member, ':(%d+)$')) or 0
end

local function clamp(value)
  if value < 0 then return 0 end
  if value > 1 then return 1 end
  return value
end

-- Drops the entries that left the window and returns the units still in it.
local function liveUnits(log, sum, windowMs)
  local cutoff = now - windowMs
  local total = tonumber(redis.call('GET', sum) or '0')
  local expired = redis.call('ZRANGEBYSCORE', log, '-inf', cutoff)
  if #expired > 0 then
    for _, member in ipairs(expired) do total = total - unitsOf(member) end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', cutoff)
    if total <= 0 or redis.call('ZCARD', log) == 0 then
      total = 0
      redis.call('DEL', sum)
    else
      redis.call('SET', sum, total, 'KEEPTTL')
    end
  end
  return total
end

-- Milliseconds until enough of the oldest entries leave for 'units' more to fit.
local function retryAfter(log, total, units, limit, windowMs)
  if units > limit then return windowMs end
  local needed = total + units - limit
  local freed = 0
  local offset = 0
  while true do
    local batch = redis.call('ZRANGE', log, offset, offset + 99, 'WITHSCORES')
    if #batch == 0 then return windowMs end
    for i = 1, #batch, 2 do
      freed = freed + unitsOf(batch[i])
      if freed >= needed then return tonumber(batch[i + 1]) + windowMs - now end
    end
    offset = offset + 100
  end
end

local function resetMs(log, windowMs)
  local oldest = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
  if #oldest == 0 then return windowMs end
  return tonumber(oldest[2]) + windowMs - now
end

local reputation = nil
local reputationChanged = false
if hasReputation then
  reputation = tonumber(redis.call('GET', KEYS[1]) or ARGV[7])
  local delta = tonumber(ARGV[5])
  if delta ~= 0 then
    reputation = clamp(reputation + delta)
    reputationChanged = true
  end
end

local refundKey = 2 + tierCount * 2
local refundArg = ${HEADER_ARGUMENTS} + tierCount * ${TIER_ARGUMENTS} + 1
for j = 0, refundCount - 1 do
  local log = KEYS[refundKey + j * 2]
  local sum = KEYS[refundKey + j * 2 + 1]
  local id = ARGV[refundArg + j * ${REFUND_ARGUMENTS}]
  local charged = tonumber(ARGV[refundArg + j * ${REFUND_ARGUMENTS} + 1])
  local back = math.min(charged, tonumber(ARGV[refundArg + j * ${REFUND_ARGUMENTS} + 2]))
  local member = id .. ':' .. charged
  local score = redis.call('ZSCORE', log, member)
  -- An entry that already left the window has nothing left to refund.
  if score and back > 0 then
    redis.call('ZREM', log, member)
    if charged - back > 0 then redis.call('ZADD', log, score, id .. ':' .. (charged - back)) end
    local left = tonumber(redis.call('GET', sum) or '0') - back
    if left <= 0 then redis.call('DEL', sum) else redis.call('SET', sum, left, 'KEEPTTL') end
  end
end

local allowed = true
local retryMs = 0
local limits = {}
local totals = {}
for i = 0, tierCount - 1 do
  local base = ${HEADER_ARGUMENTS} + i * ${TIER_ARGUMENTS}
  local limit = tonumber(ARGV[base + 1])
  local windowMs = tonumber(ARGV[base + 2])
  local units = tonumber(ARGV[base + 3])
  if ARGV[base + 5] == '1' and reputation then
    limit = math.max(1, math.floor(limit * (tonumber(ARGV[8]) + tonumber(ARGV[9]) * reputation) + 1e-9))
  end
  local log = KEYS[2 + i * 2]
  local sum = KEYS[3 + i * 2]
  local total = liveUnits(log, sum, windowMs)
  limits[i] = limit
  totals[i] = total
  if total + units > limit then
    allowed = false
    retryMs = math.max(retryMs, retryAfter(log, total, units, limit, windowMs))
  end
end

if allowed then
  for i = 0, tierCount - 1 do
    local base = ${HEADER_ARGUMENTS} + i * ${TIER_ARGUMENTS}
    local units = tonumber(ARGV[base + 3])
    if ARGV[base + 4] == '1' and units > 0 then
      local windowMs = tonumber(ARGV[base + 2])
      local log = KEYS[2 + i * 2]
      local sum = KEYS[3 + i * 2]
      redis.call('ZADD', log, now, entryId .. ':' .. units)
      redis.call('INCRBY', sum, units)
      redis.call('PEXPIRE', log, windowMs)
      redis.call('PEXPIRE', sum, windowMs)
      totals[i] = totals[i] + units
    end
  end
elseif reputation then
  reputation = clamp(reputation - tonumber(ARGV[6]))
  reputationChanged = true
end

if reputationChanged then
  redis.call('SET', KEYS[1], tostring(reputation), 'PX', ARGV[10])
end

local answer = { allowed and 1 or 0, retryMs, reputation and tostring(reputation) or '' }
for i = 0, tierCount - 1 do
  local base = ${HEADER_ARGUMENTS} + i * ${TIER_ARGUMENTS}
  local units = tonumber(ARGV[base + 3])
  local windowMs = tonumber(ARGV[base + 2])
  local fits = totals[i] + (allowed and 0 or units) <= limits[i]
  table.insert(answer, limits[i])
  table.insert(answer, math.max(0, limits[i] - totals[i]))
  table.insert(answer, resetMs(KEYS[2 + i * 2], windowMs))
  table.insert(answer, fits and 1 or 0)
end
return answer
`;
